package org.sparrowmesh.encoder.grpc;

import static org.assertj.core.api.Assertions.assertThat;

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
    void embedAndInfoAreServedNoLongerPending() {
        var encoder = EncoderGrpc.newBlockingStub(grpc.channel());
        var response = encoder.embed(EmbedRequest.newBuilder().addTexts("a sentence").build());
        assertThat(response.getEmbeddingsList()).hasSize(1);
        assertThat(response.getEmbeddings(0).getValuesCount()).isEqualTo(384);
        assertThat(encoder.info(EncoderInfoRequest.getDefaultInstance()).getLoaded()).isTrue();
    }
}
