package org.sparrowmesh.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The trace context across a record, without a broker: what the producer writes into the headers
 * is what the consumer's span hangs under. (The services' tests show the same through a real broker.)
 */
class RecordTracingTest {

    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
            .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
            .build();
    private final RecordTracing tracing = new RecordTracing(sdk);

    @AfterEach
    void close() {
        sdk.close();
    }

    @Test
    void theConsumersSpanIsAChildOfTheProducersSpanThroughTheHeaders() {
        Span caller = sdk.getTracer("test").spanBuilder("Chat/Ask").setSpanKind(SpanKind.SERVER).startSpan();
        ProducerRecord<String, byte[]> out = new ProducerRecord<>("mesh.turns", "conversation-1", new byte[] {1});
        Span send;
        try (Scope ignored = caller.makeCurrent()) {
            send = tracing.startSend(out, Context.current());
        }
        tracing.endSend(send, new RecordMetadata(new TopicPartition("mesh.turns", 4), 17, 0, 0, 0, 0), null);
        caller.end();

        String traceparent = header(out.headers().lastHeader("traceparent"));
        assertThat(traceparent).isEqualTo("00-" + caller.getSpanContext().getTraceId() + "-" + send.getSpanContext().getSpanId() + "-01");

        ConsumerRecord<String, byte[]> in = new ConsumerRecord<>("mesh.turns", 4, 17, 0L, TimestampType.CREATE_TIME, 0, 1,
                "conversation-1", new byte[] {1}, out.headers(), java.util.Optional.empty());
        tracing.startProcess(in, "readers").end();

        SpanData producer = span("publish mesh.turns");
        SpanData consumer = span("process mesh.turns");
        assertThat(producer.getKind()).isEqualTo(SpanKind.PRODUCER);
        assertThat(producer.getParentSpanId()).isEqualTo(caller.getSpanContext().getSpanId());
        assertThat(producer.getAttributes().get(RecordTracing.SYSTEM)).isEqualTo("kafka");
        assertThat(producer.getAttributes().get(RecordTracing.DESTINATION)).isEqualTo("mesh.turns");
        assertThat(producer.getAttributes().get(RecordTracing.KEY)).isEqualTo("conversation-1");
        assertThat(producer.getAttributes().get(RecordTracing.PARTITION)).isEqualTo("4");
        assertThat(producer.getAttributes().get(RecordTracing.OFFSET)).isEqualTo(17L);
        assertThat(consumer.getKind()).isEqualTo(SpanKind.CONSUMER);
        assertThat(consumer.getTraceId()).isEqualTo(caller.getSpanContext().getTraceId());
        assertThat(consumer.getParentSpanId()).isEqualTo(send.getSpanContext().getSpanId());
        assertThat(consumer.getAttributes().get(RecordTracing.CONSUMER_GROUP)).isEqualTo("readers");
        assertThat(consumer.getAttributes().get(RecordTracing.OFFSET)).isEqualTo(17L);
    }

    @Test
    void aFailedSendMarksItsSpanFailed() {
        Span send = tracing.startSend(new ProducerRecord<>("mesh.turns", "k", "v"), Context.root());
        tracing.endSend(send, null, new org.apache.kafka.common.errors.TimeoutException("no broker"));
        assertThat(span("publish mesh.turns").getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(span("publish mesh.turns").getStatus().getDescription()).isEqualTo("no broker");
    }

    @Test
    void aRecordWrittenWhileProcessingCarriesOnlyTheProcessingsTrace() {
        RecordHeaders headers = new RecordHeaders();
        headers.add("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".getBytes(StandardCharsets.UTF_8));
        Span processing = sdk.getTracer("test").spanBuilder("process").startSpan();
        tracing.inject(Context.root().with(processing), headers);
        List<Header> traceparents = new java.util.ArrayList<>();
        headers.headers("traceparent").forEach(traceparents::add);
        assertThat(traceparents).singleElement().satisfies(h -> assertThat(header(h)).contains(processing.getSpanContext().getTraceId()));
    }

    @Test
    void aRecordWithoutTraceHeadersStartsANewTraceAndTracingOffWritesNoHeader() {
        ConsumerRecord<byte[], byte[]> plain = new ConsumerRecord<>("mesh.docs", 0, 0, null, new byte[0]);
        tracing.startProcess(plain, "retrieval-tool").end();
        assertThat(span("process mesh.docs").getParentSpanContext().isValid()).isFalse();

        ProducerRecord<String, String> out = new ProducerRecord<>("mesh.turns", "k", "v");
        new RecordTracing(OpenTelemetry.noop()).startSend(out, Context.root()).end();
        assertThat(out.headers().toArray()).isEmpty();
    }

    private SpanData span(String name) {
        return spans.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no span " + name + " among " + spans.getFinishedSpanItems()));
    }

    private static String header(Header h) {
        return new String(h.value(), StandardCharsets.UTF_8);
    }
}
