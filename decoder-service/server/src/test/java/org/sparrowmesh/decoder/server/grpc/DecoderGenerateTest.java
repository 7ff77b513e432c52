package org.sparrowmesh.decoder.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.google.protobuf.Duration;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sparrowmesh.decoder.engine.generation.GenerationRequest;
import org.sparrowmesh.decoder.engine.generation.GenerationResult;
import org.sparrowmesh.decoder.engine.generation.TextGenerator;
import org.sparrowmesh.decoder.engine.gguf.GGUFFile;
import org.sparrowmesh.decoder.engine.model.ForwardPass;
import org.sparrowmesh.decoder.engine.model.Llama;
import org.sparrowmesh.decoder.engine.tokenizer.Tokenizer;
import org.sparrowmesh.proto.v1.ChatMessage;
import org.sparrowmesh.proto.v1.ChatMessages;
import org.sparrowmesh.proto.v1.DecoderGrpc;
import org.sparrowmesh.proto.v1.FinishReason;
import org.sparrowmesh.proto.v1.GenerateEvent;
import org.sparrowmesh.proto.v1.GenerateRequest;
import org.sparrowmesh.proto.v1.ModelInfoRequest;
import org.sparrowmesh.proto.v1.ModelInfoResponse;
import org.sparrowmesh.proto.v1.Role;
import org.sparrowmesh.proto.v1.SampleDone;
import org.sparrowmesh.proto.v1.SamplingParameters;
import org.sparrowmesh.proto.v1.TokenizeRequest;
import org.sparrowmesh.proto.v1.TokenizeResponse;
import org.sparrowmesh.proto.v1.Usage;

/** Generate, Tokenize and ModelInfo over a real channel, serving the real stories260K model. */
@QuarkusTest
@TestProfile(Stories260KProfile.class)
class DecoderGenerateTest {

    private ManagedChannel channel;
    private DecoderGrpc.DecoderBlockingStub decoder;

    private static int port() {
        return ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
    }

    @BeforeEach
    void open() {
        channel = NettyChannelBuilder.forAddress("127.0.0.1", port()).usePlaintext().build();
        decoder = DecoderGrpc.newBlockingStub(channel).withDeadlineAfter(120, TimeUnit.SECONDS);
    }

    @AfterEach
    void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    /** Every event of one Generate call, in order. */
    private List<GenerateEvent> generate(GenerateRequest request) {
        List<GenerateEvent> events = new ArrayList<>();
        decoder.generate(request).forEachRemaining(events::add);
        return events;
    }

    private static GenerateRequest.Builder prompt(String prompt) {
        return GenerateRequest.newBuilder().setPrompt(prompt);
    }

    private static SamplingParameters greedy() {
        return SamplingParameters.newBuilder().setTemperature(0).build();
    }

    private static String text(List<GenerateEvent> events, int sample) {
        StringBuilder text = new StringBuilder();
        events.stream().filter(e -> e.hasTokenDelta() && e.getTokenDelta().getSampleIndex() == sample)
                .forEach(e -> text.append(e.getTokenDelta().getText()));
        return text.toString();
    }

    private static List<Integer> tokenIds(List<GenerateEvent> events, int sample) {
        List<Integer> ids = new ArrayList<>();
        events.stream().filter(e -> e.hasTokenDelta() && e.getTokenDelta().getSampleIndex() == sample)
                .forEach(e -> ids.addAll(e.getTokenDelta().getTokenIdsList()));
        return ids;
    }

    private static Map<Integer, SampleDone> done(List<GenerateEvent> events) {
        Map<Integer, SampleDone> done = new TreeMap<>();
        events.stream().filter(GenerateEvent::hasSampleDone).forEach(e -> done.put(e.getSampleDone().getSampleIndex(), e.getSampleDone()));
        return done;
    }

    @Test
    void greedyGenerateStreamsExactlyWhatTheEngineGenerates() throws Exception {
        List<GenerateEvent> events = generate(prompt("Once upon a time").setSampling(greedy()).setMaxTokens(48).build());
        GenerationResult expected;
        try (GGUFFile gguf = GGUFFile.open(Stories260KProfile.model());
                ForwardPass pass = new ForwardPass(Llama.load(gguf), 8)) {
            expected = new TextGenerator(pass, Tokenizer.fromGGUF(gguf.metadata())).generate(
                    new GenerationRequest("Once upon a time", 48, org.sparrowmesh.decoder.engine.sampling.SamplingParameters.greedy(),
                            List.of(), 2048, false), t -> { });
        }
        assertThat(tokenIds(events, 0)).containsExactly(java.util.Arrays.stream(expected.generatedTokens()).boxed().toArray(Integer[]::new));
        assertThat(text(events, 0)).isEqualTo(expected.text());
        SampleDone sample = done(events).get(0);
        assertThat(sample.getText()).isEqualTo(expected.text());
        assertThat(sample.getFinishReason()).isEqualTo(FinishReason.FINISH_REASON_LENGTH);
        assertThat(sample.getTokenCount()).isEqualTo(48);
        assertThat(sample.getMeanLogProbability()).isCloseTo(expected.meanLogProbability(), org.assertj.core.data.Offset.offset(1e-5));
        // the usage event comes last and adds up
        GenerateEvent last = events.get(events.size() - 1);
        assertThat(last.hasUsage()).isTrue();
        Usage usage = last.getUsage();
        assertThat(usage.getPromptTokens()).isEqualTo(expected.promptTokens().length);
        assertThat(usage.getGeneratedTokens()).isEqualTo(48);
        assertThat(usage.getDecodeTokensPerSecond()).isPositive();
        assertThat(usage.getTimeToFirstToken().getNanos() + usage.getTimeToFirstToken().getSeconds()).isPositive();
    }

    @Test
    void fourSeededSamplesAreReproducibleAndDifferFromEachOther() {
        GenerateRequest request = prompt("Lily went to the park").setSampleCount(4).setMaxTokens(30)
                .setSampling(SamplingParameters.newBuilder().setTemperature(1.0f).setSeed(7)).build();
        List<GenerateEvent> first = generate(request);
        List<GenerateEvent> second = generate(request);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            assertThat(tokenIds(second, i)).isEqualTo(tokenIds(first, i));
            assertThat(text(first, i)).isEqualTo(done(first).get(i).getText());
            texts.add(text(first, i));
        }
        assertThat(texts).doesNotHaveDuplicates();
        assertThat(first.get(first.size() - 1).getUsage().getSeed()).isEqualTo(7);
    }

    @Test
    void chatMessagesAreRenderedAsATranscriptAndTheStopStringEndsTheSample() {
        GenerateRequest request = GenerateRequest.newBuilder()
                .setMessages(ChatMessages.newBuilder().addMessages(ChatMessage.newBuilder().setRole(Role.ROLE_USER)
                        .setContent("Tell me a story about a cat.")))
                .setSampling(greedy()).setMaxTokens(20).addStopStrings(" the").build();
        List<GenerateEvent> events = generate(request);
        SampleDone sample = done(events).get(0);
        assertThat(sample.getText()).doesNotContain(" the").isEqualTo(text(events, 0));
        TokenizeResponse tokens = decoder.tokenize(TokenizeRequest.newBuilder().setMessages(request.getMessages()).build());
        assertThat(tokens.getRenderedPrompt()).isEqualTo("User: Tell me a story about a cat.\nAssistant:");
        assertThat(events.get(events.size() - 1).getUsage().getPromptTokens()).isEqualTo(tokens.getTokenIdsCount());
    }

    @Test
    void logProbabilitiesAndAlternativesComeWhenAsked() {
        List<GenerateEvent> events = generate(prompt("The sun was").setSampling(greedy()).setMaxTokens(5)
                .setReturnLogProbabilities(true).setTopAlternativeCount(3).build());
        List<GenerateEvent> deltas = events.stream().filter(e -> e.hasTokenDelta() && e.getTokenDelta().getTokenIdsCount() > 0).toList();
        assertThat(deltas).hasSize(5).allSatisfy(e -> {
            var lp = e.getTokenDelta().getLogProbabilities(0);
            assertThat(lp.getTokenId()).isEqualTo(e.getTokenDelta().getTokenIds(0));
            assertThat(lp.getLogProbability()).isNegative();
            assertThat(lp.getTopAlternativesList()).hasSize(3);
            assertThat(lp.getTopAlternatives(0).getTokenId()).isEqualTo(lp.getTokenId());
        });
    }

    @Test
    void thirtyTwoConcurrentClientsAllCompleteBatchedTogether() throws Exception {
        long stepsAbove16Before = stepsWithMoreSequencesThan(16);
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<List<GenerateEvent>>> calls = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                int seed = i;
                calls.add(clients.submit(() -> generate(prompt("Once upon a time").setMaxTokens(64)
                        .setSampling(SamplingParameters.newBuilder().setTemperature(0.9f).setSeed(seed)).build())));
            }
            for (Future<List<GenerateEvent>> call : calls) {
                List<GenerateEvent> events = call.get(120, TimeUnit.SECONDS);
                assertThat(events.get(events.size() - 1).hasUsage()).isTrue();
                assertThat(done(events)).hasSize(1);
            }
        }
        assertThat(stepsWithMoreSequencesThan(16)).as("steps that decoded more than 16 sequences at once")
                .isGreaterThan(stepsAbove16Before);
    }

    @Test
    void cancellingAStreamFreesItsSlotsAndAFullQueueIsRefusedAtOnce() throws Exception {
        // two requests of 16 greedy samples fill the 32 sequence slots for thousands of steps
        GenerateRequest blocking = prompt("Once upon a time").setSampleCount(16).setMaxTokens(2000).setSampling(greedy()).build();
        StreamingCall first = StreamingCall.start(channel, blocking);
        StreamingCall second = StreamingCall.start(channel, blocking);
        first.firstEvent.await(60, TimeUnit.SECONDS);
        second.firstEvent.await(60, TimeUnit.SECONDS);

        List<StreamingCall> queued = new ArrayList<>();
        for (int i = 0; i < Stories260KProfile.MAX_QUEUED; i++) {
            queued.add(StreamingCall.start(channel, prompt("The little dog").setMaxTokens(3).setSampling(greedy()).build()));
        }
        awaitMetric("mesh_decoder_queue_depth", Stories260KProfile.MAX_QUEUED);
        assertThatThrownBy(() -> generate(prompt("Mom said").setMaxTokens(3).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                    assertThat(e.getStatus().getDescription()).contains("busy");
                });

        first.cancel();
        for (StreamingCall call : queued) {
            call.end.get(60, TimeUnit.SECONDS);
        }
        assertThat(second.end).as("the queued requests ran in the slots the cancelled stream freed, "
                + "while the other long request still runs").isNotDone();
        second.cancel();
        awaitMetric("mesh_decoder_running_sequences", 0);
    }

    @Test
    void aDeadlineThatPassesBeforeTheFirstTokenIsDeadlineExceeded() {
        assertThatThrownBy(() -> generate(prompt("Once upon a time").setDeadline(Duration.newBuilder().setNanos(1)).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
    }

    @Test
    void invalidParametersAreInvalidArgumentNamingTheField() {
        Map<String, GenerateRequest> bad = Map.of(
                "sample_count", prompt("x").setSampleCount(0).build(),
                "sample_count must be within", prompt("x").setSampleCount(17).build(),
                "sampling.temperature", prompt("x").setSampling(SamplingParameters.newBuilder().setTemperature(-1)).build(),
                "sampling.top_p", prompt("x").setSampling(SamplingParameters.newBuilder().setTopP(1.5f)).build(),
                "max_tokens", prompt("x").setMaxTokens(100_000).build(),
                "prompt must not be empty", prompt("").build(),
                "messages must hold", GenerateRequest.newBuilder().setMessages(ChatMessages.getDefaultInstance()).build(),
                "input", GenerateRequest.getDefaultInstance());
        bad.forEach((field, request) -> assertThatThrownBy(() -> generate(request)).as(field)
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains(field);
                }));
    }

    @Test
    void tokenizeAndModelInfoDescribeTheLoadedModel() {
        TokenizeResponse tokens = decoder.tokenize(TokenizeRequest.newBuilder().setText("Once upon a time").build());
        assertThat(tokens.getTokenIdsList()).containsExactly(1, 403, 407, 261, 378);
        assertThat(tokens.getPiecesList()).hasSize(5).contains("▁time");
        ModelInfoResponse info = decoder.modelInfo(ModelInfoRequest.getDefaultInstance());
        assertThat(info.getLoaded()).isTrue();
        assertThat(info.getModelFile()).isEqualTo("stories260K.gguf");
        assertThat(info.getArchitecture()).isEqualTo("llama");
        assertThat(info.getContextLength()).isEqualTo(Stories260KProfile.CONTEXT);
        assertThat(info.getVocabularySize()).isEqualTo(512);
        assertThat(info.getParameterCount()).isBetween(200_000L, 300_000L);
        assertThat(info.getMaxBatchSize()).isEqualTo(Stories260KProfile.MAX_RUNNING);
        assertThat(info.getChatTemplate()).isEmpty();
    }

    // ------------------------------------------------------------------ helpers

    /** A Generate call running in the background that can be cancelled like a client that goes away. */
    private static final class StreamingCall implements ClientResponseObserver<GenerateRequest, GenerateEvent> {
        final CountDownLatch firstEvent = new CountDownLatch(1);
        final CompletableFuture<Void> end = new CompletableFuture<>();
        private ClientCallStreamObserver<GenerateRequest> call;

        static StreamingCall start(ManagedChannel channel, GenerateRequest request) {
            StreamingCall observer = new StreamingCall();
            DecoderGrpc.newStub(channel).generate(request, observer);
            return observer;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<GenerateRequest> requestStream) {
            call = requestStream;
        }

        @Override
        public void onNext(GenerateEvent value) {
            firstEvent.countDown();
        }

        @Override
        public void onError(Throwable t) {
            end.completeExceptionally(t);
        }

        @Override
        public void onCompleted() {
            end.complete(null);
        }

        void cancel() {
            call.cancel("the test's client went away", null);
        }
    }

    private static String metrics() throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + "/q/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        }
    }

    private static double metric(String text, String name) {
        return text.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(Double.NaN);
    }

    private static long stepsWithMoreSequencesThan(int sequences) throws Exception {
        String text = metrics();
        double count = metric(text, "mesh_decoder_batch_size_count");
        double atMost = text.lines().filter(l -> l.startsWith("mesh_decoder_batch_size_bucket") && l.contains("le=\"" + sequences + ".0\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(0);
        return Double.isNaN(count) ? 0 : (long) (count - atMost);
    }

    /** Polls /q/metrics until the gauge has the value (a condition, not a fixed sleep). */
    private static void awaitMetric(String name, double value) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        double seen = Double.NaN;
        while (System.nanoTime() < end) {
            seen = metric(metrics(), name);
            if (seen == value) {
                return;
            }
            Thread.onSpinWait();
        }
        throw new AssertionError(name + " stayed " + seen + ", expected " + value);
    }

}
