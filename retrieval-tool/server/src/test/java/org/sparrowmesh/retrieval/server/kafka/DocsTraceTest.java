package org.sparrowmesh.retrieval.server.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import jakarta.inject.Inject;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;
import org.sparrowmesh.events.MeshTopic;
import org.sparrowmesh.kafkalocal.junit.TopicReader;
import org.sparrowmesh.proto.v1.Document;
import org.sparrowmesh.proto.v1.DocumentToIndex;
import org.sparrowmesh.retrieval.server.grpc.RetrievalTestResources;
import org.sparrowmesh.testkit.FinishedSpans;

/**
 * The mesh.docs consumer joins its producers' traces, with the OpenTelemetry SDK on and a real
 * KRaft broker: a document is indexed inside a CONSUMER span that is a child of the span whose
 * context its record carries, and a bad record's dead letter carries the trace on to mesh.dlq.
 */
@QuarkusTest
@TestProfile(DocsTraceTest.Profile.class)
class DocsTraceTest {

    public static final class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("%test.quarkus.otel.sdk.disabled", "false",
                    // no collector here: the in-memory exporter is the only one
                    "quarkus.otel.exporter.otlp.traces.endpoint", "http://127.0.0.1:1");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(RetrievalTestResources.class));
        }
    }

    // two producers' traces, as W3C traceparent ids
    private static final String GOOD_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String GOOD_SPAN = "00f067aa0ba902b7";
    private static final String BAD_TRACE = "0af7651916cd43dd8448eb211c80319c";
    private static final String BAD_SPAN = "b7ad6b7169203331";

    @Inject
    InMemorySpanExporter spans;

    @Inject
    OpenTelemetry openTelemetry;

    @Test
    void aDocumentIsIndexedInAChildSpanOfItsProducerAndADeadLetterCarriesTheTraceOn() throws Exception {
        String bootstrap = ConfigProvider.getConfig().getValue("mesh.kafka.bootstrap-servers", String.class);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(traced(new ProducerRecord<>(MeshTopic.DOCS.topicName(), "chinchilla".getBytes(StandardCharsets.UTF_8),
                    DocumentToIndex.newBuilder().setDocument(Document.newBuilder().setDocumentId("chinchilla").setTitle("Chinchilla")
                            .setText("Chinchilla has 70 billion parameters and was trained on 1.4 trillion tokens.")).build().toByteArray()),
                    GOOD_TRACE, GOOD_SPAN)).get(30, TimeUnit.SECONDS);
            producer.send(traced(new ProducerRecord<>(MeshTopic.DOCS.topicName(), "broken".getBytes(StandardCharsets.UTF_8),
                    new byte[] {(byte) 0xff, 0x01}), BAD_TRACE, BAD_SPAN)).get(30, TimeUnit.SECONDS);
        }

        SpanData indexed = awaitSpan(s -> s.getName().equals("process mesh.docs") && s.getTraceId().equals(GOOD_TRACE));
        assertThat(indexed.getKind()).isEqualTo(SpanKind.CONSUMER);
        assertThat(indexed.getParentSpanId()).as("child of the producer's span").isEqualTo(GOOD_SPAN);
        assertThat(indexed.getStatus().getStatusCode()).isNotEqualTo(StatusCode.ERROR);
        assertThat(indexed.getAttributes().asMap().toString()).contains("messaging.system=kafka", "messaging.destination.name=mesh.docs",
                "messaging.consumer.group.name=retrieval-tool", "messaging.kafka.message.key=chinchilla");

        SpanData rejected = awaitSpan(s -> s.getName().equals("process mesh.docs") && s.getTraceId().equals(BAD_TRACE));
        assertThat(rejected.getParentSpanId()).isEqualTo(BAD_SPAN);
        assertThat(rejected.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        SpanData letter = awaitSpan(s -> s.getName().equals("publish mesh.dlq") && s.getTraceId().equals(BAD_TRACE));
        assertThat(letter.getKind()).isEqualTo(SpanKind.PRODUCER);
        assertThat(letter.getParentSpanId()).isEqualTo(rejected.getSpanId());
        ConsumerRecord<byte[], byte[]> dead = TopicReader.readAll(bootstrap, MeshTopic.DEAD_LETTERS.topicName(),
                        new ByteArrayDeserializer(), new ByteArrayDeserializer()).stream()
                .filter(r -> "broken".equals(new String(r.key(), StandardCharsets.UTF_8))).findFirst().orElseThrow();
        assertThat(new String(dead.headers().lastHeader("traceparent").value(), StandardCharsets.UTF_8))
                .isEqualTo("00-" + BAD_TRACE + "-" + letter.getSpanId() + "-01");
    }

    private static ProducerRecord<byte[], byte[]> traced(ProducerRecord<byte[], byte[]> record, String trace, String span) {
        record.headers().add("traceparent", ("00-" + trace + "-" + span + "-01").getBytes(StandardCharsets.UTF_8));
        return record;
    }

    private SpanData awaitSpan(Predicate<SpanData> wanted) {
        return new FinishedSpans(spans, openTelemetry).await(wanted, Duration.ofSeconds(60));
    }
}
