package org.sparrowmesh.decoder.server.openai;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;
import org.sparrowmesh.decoder.server.grpc.Stories260KProfile;
import org.sparrowmesh.proto.v1.ChatMessage;
import org.sparrowmesh.proto.v1.ChatMessages;
import org.sparrowmesh.proto.v1.DecoderGrpc;
import org.sparrowmesh.proto.v1.GenerateRequest;
import org.sparrowmesh.proto.v1.Role;
import org.sparrowmesh.proto.v1.SamplingParameters;

/** The OpenAI-compatible API driven by a real OpenAI client library and by plain HTTP, on stories260K. */
@QuarkusTest
@TestProfile(Stories260KProfile.class)
class OpenAiApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static String base() {
        return "http://127.0.0.1:" + ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
    }

    /** What Generate over gRPC gives for one user message, greedy: the reference for the HTTP API. */
    private static String grpcGreedyReply(String user, int maxTokens) throws InterruptedException {
        ManagedChannel channel = NettyChannelBuilder.forTarget(base().substring("http://".length())).usePlaintext().build();
        try {
            StringBuilder text = new StringBuilder();
            DecoderGrpc.newBlockingStub(channel).generate(GenerateRequest.newBuilder()
                    .setMessages(ChatMessages.newBuilder().addMessages(ChatMessage.newBuilder().setRole(Role.ROLE_USER).setContent(user)))
                    .setSampling(SamplingParameters.newBuilder().setTemperature(0)).setMaxTokens(maxTokens).build())
                    .forEachRemaining(e -> {
                        if (e.hasSampleDone()) {
                            text.append(e.getSampleDone().getText());
                        }
                    });
            return text.toString();
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(URI.create(base() + path)).header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    @Test
    void langChain4jsOpenAiClientStreamsAChatReplyIdenticalToGrpcGenerate() throws Exception {
        OpenAiStreamingChatModel model = OpenAiStreamingChatModel.builder().baseUrl(base() + "/v1").apiKey("unused")
                .modelName("stories260K.gguf").temperature(0.0).maxTokens(24).build();
        List<String> partials = new ArrayList<>();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        model.chat("Tell me a story about a cat.", new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partial) {
                partials.add(partial);
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        ChatResponse response = done.get(60, TimeUnit.SECONDS);
        String expected = grpcGreedyReply("Tell me a story about a cat.", 24);
        assertThat(partials.size()).as("streamed in pieces").isGreaterThan(3);
        assertThat(String.join("", partials)).isEqualTo(response.aiMessage().text()).isEqualTo(expected);
        assertThat(response.tokenUsage().outputTokenCount()).isEqualTo(24);
        assertThat(response.tokenUsage().inputTokenCount()).isPositive();
    }

    @Test
    void nSamplesWithLogprobsComeInOneJsonDocument() throws Exception {
        HttpResponse<String> response = post("/v1/chat/completions", """
                {"model": "stories260K.gguf", "messages": [{"role": "user", "content": "Hi"}], "n": 3, "seed": 5,
                 "temperature": 1.0, "max_tokens": 10, "logprobs": true, "top_logprobs": 2}""");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("object").asText()).isEqualTo("chat.completion");
        assertThat(body.path("choices")).hasSize(3);
        int completion = 0;
        for (JsonNode choice : body.path("choices")) {
            assertThat(choice.path("message").path("role").asText()).isEqualTo("assistant");
            assertThat(choice.path("finish_reason").asText()).isIn("stop", "length");
            JsonNode content = choice.path("logprobs").path("content");
            assertThat(content.size()).isBetween(1, 10);
            assertThat(content.get(0).path("logprob").asDouble()).isNegative();
            assertThat(content.get(0).path("top_logprobs")).hasSize(2);
        }
        completion = body.path("usage").path("completion_tokens").asInt();
        assertThat(completion).isBetween(3, 30);
        assertThat(body.path("usage").path("total_tokens").asInt())
                .isEqualTo(completion + body.path("usage").path("prompt_tokens").asInt());
    }

    @Test
    void streamedCompletionsEndWithUsageAndDone() throws Exception {
        HttpResponse<String> response = post("/v1/completions", """
                {"prompt": "Once upon a time", "temperature": 0, "max_tokens": 16, "stream": true,
                 "stream_options": {"include_usage": true}}""");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
        List<String> data = response.body().lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
        assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
        JsonNode usage = JSON.readTree(data.get(data.size() - 2));
        assertThat(usage.path("choices")).isEmpty();
        assertThat(usage.path("usage").path("completion_tokens").asInt()).isEqualTo(16);
        StringBuilder text = new StringBuilder();
        String finish = null;
        for (String chunk : data.subList(0, data.size() - 2)) {
            JsonNode choice = JSON.readTree(chunk).path("choices").get(0);
            text.append(choice.path("text").asText());
            if (!choice.path("finish_reason").isNull()) {
                finish = choice.path("finish_reason").asText();
            }
        }
        assertThat(finish).isEqualTo("length");
        // the same text as the non-streamed answer
        JsonNode whole = JSON.readTree(post("/v1/completions", """
                {"prompt": "Once upon a time", "temperature": 0, "max_tokens": 16}""").body());
        assertThat(text.toString()).isEqualTo(whole.path("choices").get(0).path("text").asText()).isNotBlank();
    }

    @Test
    void badRequestsGetOpenAisErrorShapeNamingTheParameter() throws Exception {
        record Case(String body, String param) {
        }
        for (Case c : List.of(new Case("{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"n\": 0}", "n"),
                new Case("{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"temperature\": 3}", "temperature"),
                new Case("{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"top_p\": 0}", "top_p"),
                new Case("{\"messages\": []}", "messages"),
                new Case("{\"messages\": [{\"role\": \"wizard\", \"content\": \"x\"}]}", "messages[0].role"))) {
            HttpResponse<String> response = post("/v1/chat/completions", c.body());
            assertThat(response.statusCode()).as(c.body()).isEqualTo(400);
            JsonNode error = JSON.readTree(response.body()).path("error");
            assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
            assertThat(error.path("param").asText()).isEqualTo(c.param());
        }
        HttpResponse<String> garbage = post("/v1/completions", "{not json");
        assertThat(garbage.statusCode()).isEqualTo(400);
        assertThat(garbage.body()).doesNotContain("Exception").contains("not valid JSON");
        HttpResponse<String> tooLong = post("/v1/completions", "{\"prompt\": \"Once\", \"max_tokens\": 100000}");
        assertThat(tooLong.statusCode()).isEqualTo(400);
        assertThat(tooLong.body()).contains("max_tokens");
    }

    @Test
    void modelsListsTheLoadedModel() throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            JsonNode body = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(base() + "/v1/models")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertThat(body.path("data").get(0).path("id").asText()).isEqualTo("stories260K.gguf");
        }
    }
}
