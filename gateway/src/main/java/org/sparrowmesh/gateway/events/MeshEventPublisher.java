package org.sparrowmesh.gateway.events;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import com.google.protobuf.Message;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.sparrowmesh.events.MeshTopic;
import org.sparrowmesh.kafka.CloudEvents;
import org.sparrowmesh.kafka.KafkaConnection;
import org.sparrowmesh.kafka.RecordTracing;

/**
 * Publishes the mesh's events (DESIGN §4): a protobuf value, keyed by conversation or question
 * id, with CloudEvents headers.
 *
 * <p>Chat must not depend on Kafka being up, so publishing is asynchronous and bounded: a caller
 * never waits for the broker (the hand-over to the producer runs on one publisher thread behind a
 * bounded queue, because {@code KafkaProducer.send} blocks while it has no metadata); the
 * producer retries until {@code mesh.events.delivery-timeout}; an event that is refused by the
 * full queue or that times out is counted in {@code mesh_events_lost_total} and logged, and the
 * returned stage fails, so a caller that cares can see it.
 *
 * <p>Each record carries the caller's trace (a turn's gRPC span): a {@code publish <topic>}
 * PRODUCER span starts when the event is handed in, its context goes into the record's
 * {@code traceparent} header, and it ends when the broker has the record or the event is lost.
 */
@ApplicationScoped
public class MeshEventPublisher {

    private static final Logger LOG = Logger.getLogger(MeshEventPublisher.class);

    private final KafkaProducer<String, byte[]> producer;
    private final ThreadPoolExecutor handOver;
    private final String source;
    private final RecordTracing tracing;
    // one counter pair per topic, registered once: no registry lookup per event
    private final Map<MeshTopic, Counter> published = new EnumMap<>(MeshTopic.class);
    private final Map<MeshTopic, Counter> lost = new EnumMap<>(MeshTopic.class);
    private volatile long lastLossNanos = System.nanoTime() - TimeUnit.HOURS.toNanos(1);

    public MeshEventPublisher(
            KafkaConnection connection,
            RecordTracing tracing,
            @ConfigProperty(name = "mesh.events.source") String source,
            @ConfigProperty(name = "mesh.events.queue-capacity") int queueCapacity,
            @ConfigProperty(name = "mesh.events.delivery-timeout") Duration deliveryTimeout,
            MeterRegistry metrics) {
        this.source = source;
        this.tracing = tracing;
        for (MeshTopic topic : MeshTopic.values()) {
            published.put(topic, metrics.counter("mesh_events_published_total", "topic", topic.topicName()));
            lost.put(topic, metrics.counter("mesh_events_lost_total", "topic", topic.topicName()));
        }
        this.producer = new KafkaProducer<>(producerConfig(connection, deliveryTimeout));
        this.handOver = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(queueCapacity),
                runnable -> Thread.ofPlatform().name("mesh-event-publisher").daemon().unstarted(runnable),
                new ThreadPoolExecutor.AbortPolicy());
    }

    private static Properties producerConfig(KafkaConnection connection, Duration deliveryTimeout) {
        Properties p = connection.clientProperties();
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "mesh-event-publisher");
        // Events of one conversation stay in order and are written once, even across retries.
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        long lingerMs = 5;
        p.put(ProducerConfig.LINGER_MS_CONFIG, Long.toString(lingerMs));
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(deliveryTimeout.toMillis()));
        // Kafka requires delivery timeout >= linger + request timeout.
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                Long.toString(Math.min(deliveryTimeout.toMillis() - lingerMs, 30_000)));
        // send() waits at most this long for metadata before the event counts as lost.
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(deliveryTimeout.toMillis()));
        return p;
    }

    /**
     * Publishes {@code value} on {@code topic} under {@code key}. Returns at once; the stage
     * completes when the broker has the record, or fails when the event is lost.
     */
    public CompletionStage<RecordMetadata> publish(MeshTopic topic, String key, Message value) {
        CompletableFuture<RecordMetadata> written = new CompletableFuture<>();
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic.topicName(), null, key,
                value.toByteArray(), CloudEvents.stamp(new RecordHeaders(), source, value));
        // on the caller's thread, where its trace is current; the hand-over thread has none
        Span span = tracing.startSend(record, Context.current());
        try {
            handOver.execute(() -> send(topic, record, span, written));
        } catch (RejectedExecutionException full) {
            lost(topic, "the publish queue is full (" + handOver.getQueue().size() + " waiting)", full);
            tracing.endSend(span, null, full);
            written.completeExceptionally(full);
        }
        return written;
    }

    private void send(MeshTopic topic, ProducerRecord<String, byte[]> record, Span span, CompletableFuture<RecordMetadata> written) {
        try {
            producer.send(record, (metadata, failure) -> {
                tracing.endSend(span, metadata, failure);
                if (failure != null) {
                    lost(topic, failure.getMessage(), failure);
                    written.completeExceptionally(failure);
                } else {
                    published.get(topic).increment();
                    written.complete(metadata);
                }
            });
        } catch (RuntimeException failure) {
            // metadata not available within max.block.ms, producer closed, record too large
            tracing.endSend(span, null, failure);
            lost(topic, failure.getMessage(), failure);
            written.completeExceptionally(failure);
        }
    }

    /** False when an event was lost in the last minute: turns then report their publish stage degraded. */
    public boolean healthy() {
        return System.nanoTime() - lastLossNanos > TimeUnit.MINUTES.toNanos(1);
    }

    private void lost(MeshTopic topic, String why, Throwable failure) {
        lastLossNanos = System.nanoTime();
        Counter counter = lost.get(topic);
        counter.increment();
        LOG.warnf("event for %s lost (%d lost so far): %s", topic.topicName(), (long) counter.count(), why);
        LOG.debug("event loss detail", failure);
    }

    @PreDestroy
    void close() {
        handOver.shutdown();
        try {
            handOver.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
    }
}
