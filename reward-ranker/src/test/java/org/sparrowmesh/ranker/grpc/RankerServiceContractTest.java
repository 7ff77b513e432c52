package org.sparrowmesh.ranker.grpc;

import java.util.List;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.sparrowmesh.proto.v1.RankRequest;
import org.sparrowmesh.proto.v1.RankerGrpc;
import org.sparrowmesh.testkit.MeshServiceContract;

@QuarkusTest
class RankerServiceContractTest extends MeshServiceContract {

    @Override
    protected String serviceName() {
        return "sparrowmesh.v1.Ranker";
    }

    @Override
    protected List<String> rpcNames() {
        return List.of("Rank");
    }

    @Test
    void rankSaysWhenItArrives() {
        var ranker = RankerGrpc.newBlockingStub(grpc.channel());
        assertPending(() -> ranker.rank(RankRequest.newBuilder().setQuestion("why?").build()), "Ranker.Rank", 9);
    }
}
