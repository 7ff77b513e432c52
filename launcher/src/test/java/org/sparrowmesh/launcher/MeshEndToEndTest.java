package org.sparrowmesh.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.sparrowmesh.proto.v1.CandidateOrigin;
import org.sparrowmesh.proto.v1.ChatGrpc;
import org.sparrowmesh.proto.v1.Stage;
import org.sparrowmesh.proto.v1.StageState;
import org.sparrowmesh.proto.v1.Turn;
import org.sparrowmesh.proto.v1.TurnEvent;
import org.sparrowmesh.proto.v1.TurnOptions;

/**
 * The whole mesh, for real: `mesh up` starts a KRaft broker and the five services (the decoder
 * serving stories260K, the retrieval tool indexing the demo corpus) on free ports with their own
 * state folder; turns go through the gateway; their events are read back from Kafka; then the
 * decoder and Kafka are stopped under the running mesh. Needs the services built (the reactor
 * builds them before this module).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MeshEndToEndTest {

    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static Path state;
    private static final Map<String, String> ENV = new HashMap<>();
    private static ManagedChannel channel;

    @BeforeAll
    static void up() throws Exception {
        state = Files.createTempDirectory("mesh-e2e-");
        ENV.put("MESH_STATE_DIR", state.toString());
        for (String name : List.of("gateway", "decoder", "encoder", "retrieval", "ranker", "kafka")) {
            ENV.put(Component.portVariable(name), Integer.toString(MeshFixture.freePort()));
        }
        ENV.put("MESH_KAFKA_CONTROLLER_PORT", Integer.toString(MeshFixture.freePort()));
        ENV.put("MESH_START_TIMEOUT", "180");
        Path model = Path.of(System.getProperty("mesh.shared", ROOT.resolveSibling("shared").toString()),
                "testdata", "llama", "stories260K.gguf");
        assertThat(mesh("up", "--model", model.toString())).as("mesh up").isZero();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", port("gateway")).usePlaintext().build();
    }

    @AfterAll
    static void down() throws Exception {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        mesh("down");
    }

    private static int port(String component) {
        return Integer.parseInt(ENV.get(Component.portVariable(component)));
    }

    private static int mesh(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = MeshCommand.commandLine(ROOT, ROOT, ENV, new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        System.out.println(out);
        System.out.println(err);
        return code;
    }

    private static List<TurnEvent> ask(String text, TurnOptions options) {
        List<TurnEvent> events = new ArrayList<>();
        ChatGrpc.newBlockingStub(channel).withDeadlineAfter(120, TimeUnit.SECONDS)
                .ask(Turn.newBuilder().setText(text).setOptions(options).build()).forEachRemaining(events::add);
        return events;
    }

    private static StageState stage(TurnEvent status, Stage stage) {
        return status.getStatus().getStagesList().stream().filter(s -> s.getStage() == stage).findFirst().orElseThrow().getState();
    }

    @Test
    @Order(1)
    void aTurnStreamsEvidenceCandidatesRankingAndAnswerAndEveryEventTypeReachesKafka() throws Exception {
        List<TurnEvent> events = ask("Who introduced LaMDA, and in which year?",
                TurnOptions.newBuilder().setMaxTokens(40).setSeed(7).build());
        List<TurnEvent.EventCase> kinds = events.stream().map(TurnEvent::getEventCase).toList();
        assertThat(kinds).contains(TurnEvent.EventCase.EVIDENCE, TurnEvent.EventCase.CANDIDATE_DELTA,
                TurnEvent.EventCase.CANDIDATE_DONE, TurnEvent.EventCase.RANKING, TurnEvent.EventCase.ANSWER);
        assertThat(kinds.get(kinds.size() - 1)).isEqualTo(TurnEvent.EventCase.STATUS);
        assertThat(kinds.indexOf(TurnEvent.EventCase.EVIDENCE)).isLessThan(kinds.indexOf(TurnEvent.EventCase.RANKING));
        assertThat(kinds.indexOf(TurnEvent.EventCase.RANKING)).isLessThan(kinds.indexOf(TurnEvent.EventCase.ANSWER));
        for (int i = 0; i < events.size(); i++) {
            assertThat(events.get(i).getSequenceNumber()).isEqualTo(i + 1);
        }
        TurnEvent evidence = events.get(kinds.indexOf(TurnEvent.EventCase.EVIDENCE));
        assertThat(evidence.getEvidence().getSnippetsList()).isNotEmpty()
                .allSatisfy(s -> assertThat(s.getText().length()).isLessThanOrEqualTo(500));
        assertThat(evidence.getEvidence().getSnippets(0).getText()).contains("LaMDA");
        // 2 + 2 generated candidates and the snippets
        long generated = events.stream().filter(TurnEvent::hasCandidateDone)
                .filter(e -> e.getCandidateDone().getCandidate().getOrigin() != CandidateOrigin.CANDIDATE_ORIGIN_SEARCH_SNIPPET).count();
        assertThat(generated).isEqualTo(4);
        TurnEvent status = events.get(events.size() - 1);
        assertThat(stage(status, Stage.STAGE_DECODE)).isEqualTo(StageState.STAGE_STATE_OK);
        assertThat(stage(status, Stage.STAGE_RANK)).isIn(StageState.STAGE_STATE_OK, StageState.STAGE_STATE_DEGRADED);

        String conversation = events.get(0).getConversationId();
        Set<String> topics = new HashSet<>();
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + port("kafka"));
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "e2e-reader");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<String> dialogue = List.of("mesh.turns", "mesh.evidence", "mesh.candidates", "mesh.rankings", "mesh.answers");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(dialogue);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (topics.size() < dialogue.size() && System.nanoTime() < end) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (conversation.equals(record.key())) {
                        topics.add(record.topic());
                        assertThat(record.headers().lastHeader("ce_type")).isNotNull();
                    }
                }
            }
        }
        assertThat(topics).containsExactlyInAnyOrderElementsOf(dialogue);
    }

    @Test
    @Order(2)
    void cancellingATurnTakesItsSequencesOutOfTheDecoder() throws Exception {
        Context.CancellableContext context = Context.current().withCancellation();
        context.run(() -> {
            Iterator<TurnEvent> events = ChatGrpc.newBlockingStub(channel).withDeadlineAfter(120, TimeUnit.SECONDS).ask(Turn.newBuilder().setText("Tell me a long story.")
                    .setOptions(TurnOptions.newBuilder().setMaxTokens(2000).setTemperature(0).setSearchResultCount(0)).build());
            while (events.hasNext()) {
                if (events.next().hasCandidateDelta()) {
                    break; // generation is running
                }
            }
        });
        assertThat(decoderGauge("mesh_decoder_running_sequences")).isPositive();
        context.cancel(null);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        double running = decoderGauge("mesh_decoder_running_sequences");
        while (running > 0 && System.nanoTime() < end) {
            Thread.onSpinWait();
            running = decoderGauge("mesh_decoder_running_sequences");
        }
        assertThat(running).as("sequences left in the decoder after the client cancelled").isZero();
    }

    @Test
    @Order(3)
    void withTheDecoderStoppedTheAnswerComesFromEvidenceAndTheTurnSaysDegraded() throws Exception {
        stop("decoder");
        List<TurnEvent> events = ask("What is Sparrow?", TurnOptions.getDefaultInstance());
        TurnEvent status = events.get(events.size() - 1);
        assertThat(stage(status, Stage.STAGE_DECODE)).isEqualTo(StageState.STAGE_STATE_FAILED);
        assertThat(status.getStatus().getOverallState()).isEqualTo(StageState.STAGE_STATE_DEGRADED);
        TurnEvent answer = events.stream().filter(TurnEvent::hasAnswer).findFirst().orElseThrow();
        assertThat(answer.getAnswer().getOrigin()).isEqualTo(CandidateOrigin.CANDIDATE_ORIGIN_SEARCH_SNIPPET);
        assertThat(answer.getAnswer().getCitedSnippetsList()).isNotEmpty();
    }

    @Test
    @Order(4)
    void withKafkaStoppedTheChatStillAnswers() throws Exception {
        stop("kafka");
        List<TurnEvent> events = ask("Who made BERT?", TurnOptions.getDefaultInstance());
        assertThat(events.stream().filter(TurnEvent::hasAnswer).findFirst()).isPresent();
        assertThat(events.get(events.size() - 1).hasStatus()).isTrue();
    }

    private static void stop(String component) throws Exception {
        long pid = Long.parseLong(Files.readString(MeshLayout.of(ROOT, ROOT, ENV).pidFile(component)).strip());
        ProcessHandle process = ProcessHandle.of(pid).orElseThrow();
        process.destroy();
        process.onExit().get(30, TimeUnit.SECONDS);
    }

    private static double decoderGauge(String name) throws Exception {
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build()) {
            String text = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port("decoder") + "/q/metrics"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
            return text.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(Double.NaN);
        }
    }
}
