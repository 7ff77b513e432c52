package org.sparrowmesh.decoder.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.sparrowmesh.proto.v1.DecoderGrpc;
import org.sparrowmesh.proto.v1.GenerateRequest;
import org.sparrowmesh.proto.v1.ModelInfoRequest;
import org.sparrowmesh.proto.v1.ModelInfoResponse;
import org.sparrowmesh.proto.v1.TokenizeRequest;
import org.sparrowmesh.testkit.MeshServiceContract;

/** The decoder without a model: it runs, says so, and its health stays SERVING (the mesh degrades). */
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
    void withoutAModelGenerateAndTokenizeAreFailedPreconditionAndModelInfoSaysNotLoaded() {
        var decoder = DecoderGrpc.newBlockingStub(grpc.channel());
        assertThatThrownBy(() -> decoder.generate(GenerateRequest.newBuilder().setPrompt("Once upon a time").build()).hasNext())
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
                    assertThat(e.getStatus().getDescription()).contains("no model loaded");
                });
        assertThatThrownBy(() -> decoder.tokenize(TokenizeRequest.newBuilder().setText("hi").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION));
        ModelInfoResponse info = decoder.modelInfo(ModelInfoRequest.getDefaultInstance());
        assertThat(info.getLoaded()).isFalse();
        assertThat(info.getModelFile()).isEmpty();
    }

    @Test
    void withoutAModelTheOpenAiApiAnswers503InOpenAisShape() throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + "/v1/chat/completions"))
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.body()).contains("\"code\":\"model_not_loaded\"").contains("no model loaded");
        }
    }
}
