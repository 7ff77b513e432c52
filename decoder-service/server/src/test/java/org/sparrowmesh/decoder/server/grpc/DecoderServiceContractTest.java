package org.sparrowmesh.decoder.server.grpc;

import java.util.List;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.sparrowmesh.proto.v1.DecoderGrpc;
import org.sparrowmesh.proto.v1.GenerateRequest;
import org.sparrowmesh.proto.v1.ModelInfoRequest;
import org.sparrowmesh.proto.v1.TokenizeRequest;
import org.sparrowmesh.testkit.MeshServiceContract;

@QuarkusTest
class DecoderServiceContractTest extends MeshServiceContract {

    @Override
    protected String serviceName() {
        return "sparrowmesh.v1.Decoder";
    }

    @Override
    protected List<String> rpcNames() {
        return List.of("Generate", "Tokenize", "ModelInfo");
    }

    @Test
    void rpcsOfTheDecoderIssueSayWhenTheyArrive() {
        var decoder = DecoderGrpc.newBlockingStub(grpc.channel());
        assertPending(() -> decoder.generate(GenerateRequest.newBuilder().setPrompt("Once upon a time").build()).hasNext(),
                "Decoder.Generate", 5);
        assertPending(() -> decoder.tokenize(TokenizeRequest.getDefaultInstance()), "Decoder.Tokenize", 5);
        assertPending(() -> decoder.modelInfo(ModelInfoRequest.getDefaultInstance()), "Decoder.ModelInfo", 5);
    }
}
