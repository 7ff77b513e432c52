package org.sparrowmesh.retrieval.server.grpc;

import java.util.List;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.sparrowmesh.proto.v1.RetrievalGrpc;
import org.sparrowmesh.proto.v1.SearchRequest;
import org.sparrowmesh.proto.v1.StatsRequest;
import org.sparrowmesh.testkit.MeshServiceContract;

@QuarkusTest
class RetrievalServiceContractTest extends MeshServiceContract {

    @Override
    protected String serviceName() {
        return "sparrowmesh.v1.Retrieval";
    }

    @Override
    protected List<String> rpcNames() {
        return List.of("Search", "Ingest", "Stats");
    }

    @Test
    void rpcsOfTheRetrievalIssueSayWhenTheyArrive() {
        var retrieval = RetrievalGrpc.newBlockingStub(grpc.channel());
        assertPending(() -> retrieval.search(SearchRequest.newBuilder().setQuery("who wrote it?").build()),
                "Retrieval.Search", 8);
        assertPending(() -> retrieval.stats(StatsRequest.getDefaultInstance()), "Retrieval.Stats", 8);
    }
}
