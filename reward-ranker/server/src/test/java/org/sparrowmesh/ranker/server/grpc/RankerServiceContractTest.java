package org.sparrowmesh.ranker.server.grpc;

import java.util.List;

import io.quarkus.test.junit.QuarkusTest;
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
}
