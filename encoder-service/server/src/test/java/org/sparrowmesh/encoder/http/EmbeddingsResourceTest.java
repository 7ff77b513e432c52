package org.sparrowmesh.encoder.http;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/** OpenAI-compatible {@code POST /v1/embeddings} on the running app (the same boot as the gRPC tests). */
@QuarkusTest
class EmbeddingsResourceTest {

    private static ValidatableResponse post(Object body) {
        var request = given().port(ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class))
                .contentType(ContentType.JSON);
        request = body instanceof byte[] bytes ? request.body(bytes) : request.body((String) body);
        return request.when().post("/v1/embeddings").then();
    }

    @Test
    void oneStringAsOpenAiClientsSendIt() {
        var response = post("{\"input\": \"The cat sits on the mat.\", \"model\": \"text-embedding-3-small\"}")
                .statusCode(200).contentType(ContentType.JSON)
                .body("object", equalTo("list"))
                .body("model", equalTo("sentence-transformers/all-MiniLM-L6-v2"))
                .body("data", hasSize(1))
                .body("data[0].object", equalTo("embedding"))
                .body("data[0].index", equalTo(0))
                .body("data[0].embedding", hasSize(384))
                .body("usage.prompt_tokens", equalTo(9))
                .body("usage.total_tokens", equalTo(9))
                .extract().jsonPath();
        List<Float> vector = response.getList("data[0].embedding", Float.class);
        double sum = 0;
        for (float v : vector) {
            sum += v * v;
        }
        assertThat(Math.sqrt(sum)).isCloseTo(1.0, within(1e-4));
    }

    @Test
    void anArrayOfStringsInOrderAndBase64Encoding() {
        String body = "{\"input\": [\"first\", \"second text\", \"\"]}";
        post(body).statusCode(200).body("data", hasSize(3)).body("data[2].index", equalTo(2));
        List<Float> floats = post("{\"input\": [\"second text\"]}").statusCode(200).extract().jsonPath()
                .getList("data[0].embedding", Float.class);
        String base64 = post("{\"input\": [\"second text\"], \"encoding_format\": \"base64\"}").statusCode(200)
                .extract().jsonPath().getString("data[0].embedding");
        ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(base64)).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(bytes.remaining()).isEqualTo(384 * 4);
        for (int i = 0; i < 384; i++) {
            assertThat(bytes.getFloat()).isCloseTo(floats.get(i), within(1e-6f));
        }
    }

    @Test
    void anEmptyArrayGivesAnEmptyList() {
        post("{\"input\": []}").statusCode(200).body("data", hasSize(0)).body("usage.prompt_tokens", equalTo(0));
    }

    @Test
    void invalidUtf8BytesAreA400InOpenAisShape() {
        byte[] prefix = "{\"input\": \"caf".getBytes(StandardCharsets.US_ASCII);
        byte[] suffix = "\"}".getBytes(StandardCharsets.US_ASCII);
        byte[] body = new byte[prefix.length + 2 + suffix.length];
        System.arraycopy(prefix, 0, body, 0, prefix.length);
        body[prefix.length] = (byte) 0xC3;     // a 2-byte sequence cut short
        body[prefix.length + 1] = (byte) 0x28;
        System.arraycopy(suffix, 0, body, prefix.length + 2, suffix.length);
        openAiError(post(body), 400, "invalid_request_error", "not valid UTF-8").body("error.param", nullValue());
    }

    @Test
    void badRequestsAre400sNamingTheField() {
        openAiError(post("{\"input\": [\"a\""), 400, "invalid_request_error", "not valid JSON");
        openAiError(post(""), 400, "invalid_request_error", "empty");
        openAiError(post("[1, 2]"), 400, "invalid_request_error", "must be a JSON object");
        openAiError(post("{\"model\": \"m\"}"), 400, "invalid_request_error", "\"input\" is required")
                .body("error.param", equalTo("input"));
        openAiError(post("{\"input\": [[1, 2, 3]]}"), 400, "invalid_request_error", "token arrays are not accepted")
                .body("error.param", equalTo("input"));
        openAiError(post("{\"input\": \"a\", \"encoding_format\": \"int8\"}"), 400, "invalid_request_error",
                "\"float\" or \"base64\"").body("error.param", equalTo("encoding_format"));
        openAiError(post("{\"input\": \"a\", \"dimensions\": 256}"), 400, "invalid_request_error", "must be 384")
                .body("error.param", equalTo("dimensions"));
        openAiError(post("{\"input\": \"a\", \"input_type\": \"question\"}"), 400, "invalid_request_error", "input_type")
                .body("error.param", equalTo("input_type"));
    }

    @Test
    void limitsAre400sNamingTheLimit() {
        openAiError(post("{\"input\": \"" + "x".repeat(20_001) + "\"}"), 400, "invalid_request_error",
                "at most 20,000 characters per text").body("error.param", equalTo("input"));
        String many = "[" + String.join(",", java.util.Collections.nCopies(257, "\"z\"")) + "]";
        openAiError(post("{\"input\": " + many + "}"), 400, "invalid_request_error", "at most 256 texts");
    }

    private static ValidatableResponse openAiError(ValidatableResponse response, int status, String type, String message) {
        return response.statusCode(status).contentType(ContentType.JSON)
                .body("error.type", equalTo(type))
                .body("error.message", containsString(message));
    }
}
