package org.sparrowmesh.retrieval.server.grpc;

import java.util.List;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.sparrowmesh.testkit.MeshServiceContract;

@QuarkusTest
@WithTestResource(RetrievalTestResources.class)
class RetrievalServiceContractTest extends MeshServiceContract {

    @Override
    protected String serviceName() {
        return "sparrowmesh.v1.Retrieval";
    }

    @Override
    protected List<String> rpcNames() {
        return List.of("Search", "Ingest", "Stats");
    }
}
