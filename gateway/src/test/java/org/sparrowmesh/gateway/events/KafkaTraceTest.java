package org.sparrowmesh.gateway.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import jakarta.inject.Inject;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;
import org.sparrowmesh.events.MeshTopic;
import org.sparrowmesh.gateway.batch.CommittedAnswers;
import org.sparrowmesh.kafkalocal.junit.TopicReader;
import org.sparrowmesh.proto.v1.BatchQuestion;
import org.sparrowmesh.proto.v1.ChatGrpc;
import org.sparrowmesh.proto.v1.Turn;
import org.sparrowmesh.testkit.FinishedSpans;

/**
 * The Kafka hop of a trace, with the OpenTelemetry SDK on and a real KRaft broker: a turn's event
 * on mesh.turns carries the trace of the turn's gRPC server span, and a batch question that
 * carries a trace is processed in a CONSUMER span of that trace whose context its answer carries.
 * (Peers are down: the turns degrade, which is all the traces need.)
 */
@QuarkusTest
@TestProfile(KafkaTraceTest.Profile.class)
class KafkaTraceTest {

    public static final class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("%test.quarkus.otel.sdk.disabled", "false", "%test.mesh.batch.enabled", "true",
                    "mesh.batch.instance-id", "gateway-trace-test",
                    // no collector here: the in-memory exporter is the only one
                    "quarkus.otel.exporter.otlp.traces.endpoint", "http://127.0.0.1:1");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(KafkaBrokerTestResource.class));
        }
    }

    /** A trace as an upstream producer would have started it (W3C example ids). */
    private static final String UPSTREAM_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String UPSTREAM_SPAN = "00f067aa0ba902b7";

    @Inject
    InMemorySpanExporter spans;

    @Inject
    OpenTelemetry openTelemetry;

    @Test
    void aTurnsEventOnKafkaCarriesTheTraceOfTheTurnsServerSpan() throws Exception {
        String conversation = "trace-" + UUID.randomUUID();
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        try {
            ChatGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)
                    .ask(Turn.newBuilder().setText("Who made BERT?").setConversationId(conversation).build())
                    .forEachRemaining(event -> { });
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }

        ConsumerRecord<String, byte[]> turn = TopicReader.readAll(KafkaBrokerTestResource.bootstrapServers(),
                        MeshTopic.TURNS.topicName(), new StringDeserializer(), new ByteArrayDeserializer())
                .stream().filter(r -> conversation.equals(r.key())).findFirst().orElseThrow();
        String[] traceparent = traceparent(turn.headers().lastHeader("traceparent"));

        SpanData server = awaitSpan(s -> s.getKind() == SpanKind.SERVER && s.getName().endsWith("Chat/Ask")
                && s.getTraceId().equals(traceparent[1]));
        SpanData publish = awaitSpan(s -> s.getName().equals("publish mesh.turns") && s.getSpanId().equals(traceparent[2]));
        assertThat(publish.getKind()).isEqualTo(SpanKind.PRODUCER);
        assertThat(publish.getTraceId()).isEqualTo(server.getTraceId());
        assertThat(publish.getAttributes().asMap()).containsEntry(io.opentelemetry.api.common.AttributeKey.stringKey(
                "messaging.system"), "kafka").containsEntry(io.opentelemetry.api.common.AttributeKey.stringKey(
                "messaging.destination.name"), "mesh.turns");
    }

    @Test
    void aBatchQuestionAndItsAnswerAreOneTrace() throws Exception {
        String bootstrap = KafkaBrokerTestResource.bootstrapServers();
        String id = "traced-" + UUID.randomUUID();
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            ProducerRecord<byte[], byte[]> question = new ProducerRecord<>(MeshTopic.QUESTIONS.topicName(),
                    id.getBytes(StandardCharsets.UTF_8), BatchQuestion.newBuilder().setText("Who made LaMDA?").build().toByteArray());
            question.headers().add("traceparent", ("00-" + UPSTREAM_TRACE + "-" + UPSTREAM_SPAN + "-01").getBytes(StandardCharsets.UTF_8));
            producer.send(question).get(30, TimeUnit.SECONDS);
        }

        ConsumerRecord<byte[], byte[]> answer = CommittedAnswers.readUntil(bootstrap, MeshTopic.BATCH_ANSWERS.topicName(),
                        records -> records.stream().anyMatch(r -> id.equals(CommittedAnswers.key(r))), Duration.ofSeconds(60))
                .stream().filter(r -> id.equals(CommittedAnswers.key(r))).findFirst().orElseThrow();
        String[] traceparent = traceparent(answer.headers().lastHeader("traceparent"));
        assertThat(traceparent[1]).as("the answer's trace").isEqualTo(UPSTREAM_TRACE);

        SpanData process = awaitSpan(s -> s.getName().equals("process mesh.questions") && s.getTraceId().equals(UPSTREAM_TRACE));
        assertThat(process.getKind()).isEqualTo(SpanKind.CONSUMER);
        assertThat(process.getParentSpanId()).as("child of the question's producer").isEqualTo(UPSTREAM_SPAN);
        assertThat(process.getSpanId()).as("the answer carries the processing span").isEqualTo(traceparent[2]);
        // the turn's own calls (here: refused, the peers are down) hang under the processing span
        awaitSpan(s -> s.getKind() == SpanKind.CLIENT && s.getTraceId().equals(UPSTREAM_TRACE)
                && s.getParentSpanId().equals(process.getSpanId()));
    }

    /** {@code 00-<trace id>-<span id>-<flags>}, split. */
    private static String[] traceparent(Header header) {
        assertThat(header).as("traceparent header").isNotNull();
        String[] parts = new String(header.value(), StandardCharsets.UTF_8).split("-");
        assertThat(parts).hasSize(4);
        return parts;
    }

    private SpanData awaitSpan(Predicate<SpanData> wanted) {
        return new FinishedSpans(spans, openTelemetry).await(wanted, Duration.ofSeconds(30));
    }
}
