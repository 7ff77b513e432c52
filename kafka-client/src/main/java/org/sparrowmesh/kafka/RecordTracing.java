package org.sparrowmesh.kafka;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * The Kafka hop of a trace: a producer writes its span's context into the record's headers (W3C
 * {@code traceparent} / {@code tracestate}, through the service's configured propagators), and a
 * consumer processes the record inside a span that is a child of that context. So a turn is one
 * trace from the gateway's gRPC call through its events, and a batch question and its answer are
 * one trace.
 *
 * <p>Spans follow the OpenTelemetry messaging conventions: {@code publish <topic>} (PRODUCER) and
 * {@code process <topic>} (CONSUMER), with {@code messaging.system=kafka},
 * {@code messaging.destination.name}, the partition, offset, key and consumer group. With the SDK
 * off (the local mesh) the propagators and the tracer are no-ops: no header is written, no span
 * recorded.
 */
public final class RecordTracing {

    static final String SCOPE = "org.sparrowmesh.kafka";

    static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("messaging.system");
    static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
    static final AttributeKey<String> OPERATION_NAME = AttributeKey.stringKey("messaging.operation.name");
    static final AttributeKey<String> OPERATION_TYPE = AttributeKey.stringKey("messaging.operation.type");
    static final AttributeKey<String> PARTITION = AttributeKey.stringKey("messaging.destination.partition.id");
    static final AttributeKey<Long> OFFSET = AttributeKey.longKey("messaging.kafka.offset");
    static final AttributeKey<String> KEY = AttributeKey.stringKey("messaging.kafka.message.key");
    static final AttributeKey<String> CONSUMER_GROUP = AttributeKey.stringKey("messaging.consumer.group.name");

    /** Reads trace headers; the last one of a name wins, as with every header the mesh reads. */
    private static final TextMapGetter<Headers> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Headers headers) {
            List<String> keys = new ArrayList<>();
            headers.forEach(h -> keys.add(h.key()));
            return keys;
        }

        @Override
        public String get(Headers headers, String key) {
            if (headers == null) {
                return null;
            }
            Header header = headers.lastHeader(key);
            return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
        }
    };

    /** Replaces a trace header: a record written while processing another must not carry both traces. */
    private static final TextMapSetter<Headers> SETTER = (headers, key, value) -> {
        if (headers != null) {
            headers.remove(key);
            headers.add(key, value.getBytes(StandardCharsets.UTF_8));
        }
    };

    private final Tracer tracer;
    private final TextMapPropagator propagator;

    public RecordTracing(OpenTelemetry openTelemetry) {
        this.tracer = openTelemetry.getTracer(SCOPE);
        this.propagator = openTelemetry.getPropagators().getTextMapPropagator();
    }

    /**
     * Starts the PRODUCER span of sending {@code record}, as a child of {@code parent}, and writes
     * its context into the record's headers. End it with {@link #endSend} when the broker answers.
     */
    public Span startSend(ProducerRecord<?, ?> record, Context parent) {
        SpanBuilder builder = tracer.spanBuilder("publish " + record.topic()).setSpanKind(SpanKind.PRODUCER).setParent(parent)
                .setAttribute(SYSTEM, "kafka").setAttribute(DESTINATION, record.topic())
                .setAttribute(OPERATION_NAME, "publish").setAttribute(OPERATION_TYPE, "send");
        key(record.key(), builder);
        if (record.partition() != null) {
            builder.setAttribute(PARTITION, record.partition().toString());
        }
        Span span = builder.startSpan();
        inject(parent.with(span), record.headers());
        return span;
    }

    /** Ends a span of {@link #startSend}: where the record went, or why it was not written. */
    public void endSend(Span span, RecordMetadata written, Exception failure) {
        if (failure != null) {
            failed(span, failure);
        } else if (written != null) {
            span.setAttribute(PARTITION, Integer.toString(written.partition()));
            if (written.hasOffset()) {
                span.setAttribute(OFFSET, written.offset());
            }
        }
        span.end();
    }

    /**
     * Starts the CONSUMER span of processing {@code record}, a child of the context its headers
     * carry (a new trace when they carry none). Make it current while the record is processed, so
     * the calls made for it (gRPC, records written) join the trace.
     */
    public Span startProcess(ConsumerRecord<?, ?> record, String consumerGroup) {
        SpanBuilder builder = tracer.spanBuilder("process " + record.topic()).setSpanKind(SpanKind.CONSUMER)
                .setParent(extract(record.headers()))
                .setAttribute(SYSTEM, "kafka").setAttribute(DESTINATION, record.topic())
                .setAttribute(OPERATION_NAME, "process").setAttribute(OPERATION_TYPE, "process")
                .setAttribute(PARTITION, Integer.toString(record.partition())).setAttribute(OFFSET, record.offset())
                .setAttribute(CONSUMER_GROUP, consumerGroup);
        key(record.key(), builder);
        return builder.startSpan();
    }

    /** The context {@code headers} carry, on top of the root context; the root context when they carry none. */
    public Context extract(Headers headers) {
        return propagator.extract(Context.root(), headers, GETTER);
    }

    /** Writes {@code context} into {@code headers}, replacing any trace headers they held. */
    public void inject(Context context, Headers headers) {
        propagator.inject(context, headers, SETTER);
    }

    /** Marks a span failed with the exception's message. */
    public static void failed(Span span, Throwable failure) {
        span.recordException(failure);
        span.setStatus(StatusCode.ERROR, String.valueOf(failure.getMessage()));
    }

    private static void key(Object key, SpanBuilder builder) {
        // the mesh's keys are ids (conversation, question, document) in UTF-8
        if (key instanceof String s) {
            builder.setAttribute(KEY, s);
        } else if (key instanceof byte[] bytes) {
            builder.setAttribute(KEY, new String(bytes, StandardCharsets.UTF_8));
        }
    }
}
