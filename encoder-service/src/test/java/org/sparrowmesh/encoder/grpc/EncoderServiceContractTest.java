package org.sparrowmesh.encoder.grpc;

import java.util.List;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.sparrowmesh.proto.v1.EmbedRequest;
import org.sparrowmesh.proto.v1.EncoderGrpc;
import org.sparrowmesh.proto.v1.EncoderInfoRequest;
import org.sparrowmesh.testkit.MeshServiceContract;

@QuarkusTest
class EncoderServiceContractTest extends MeshServiceContract {

    @Override
    protected String serviceName() {
        return "sparrowmesh.v1.Encoder";
    }

    @Override
    protected List<String> rpcNames() {
        return List.of("Embed", "Info");
    }

    @Test
    void rpcsOfTheEncoderIssueSayWhenTheyArrive() {
        var encoder = EncoderGrpc.newBlockingStub(grpc.channel());
        assertPending(() -> encoder.embed(EmbedRequest.newBuilder().addTexts("a sentence").build()), "Encoder.Embed", 7);
        assertPending(() -> encoder.info(EncoderInfoRequest.getDefaultInstance()), "Encoder.Info", 7);
    }
}
