package org.sparrowmesh.retrieval.server.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.sparrowmesh.events.CloudEventHeaders;
import org.sparrowmesh.events.MeshTopic;
import org.sparrowmesh.proto.v1.DeadLetter;
import org.sparrowmesh.proto.v1.DeadLetterCause;
import org.sparrowmesh.proto.v1.DocumentToIndex;
import org.sparrowmesh.proto.v1.RecordHeader;
import org.sparrowmesh.retrieval.index.SourceDocument;
import org.sparrowmesh.retrieval.server.grpc.DocumentRules;
import org.sparrowmesh.retrieval.server.runtime.RetrievalConfig;
import org.sparrowmesh.retrieval.server.runtime.RetrievalRuntime;

/**
 * Indexes the documents of topic {@code mesh.docs}: one poll's valid documents in one commit of
 * the index, then the offsets. A record that cannot be parsed or breaks the document rules goes
 * to {@code mesh.dlq} with the reason and its origin, and the consumer goes on. At least once:
 * a crash between indexing and committing offsets re-indexes the same ids, which replaces them.
 */
@ApplicationScoped
public class DocsConsumer {

    private static final Logger LOG = Logger.getLogger(DocsConsumer.class);
    static final String GROUP = "retrieval-tool";

    private final RetrievalRuntime runtime;
    private final RetrievalConfig config;
    private final String bootstrap;
    private KafkaConsumer<byte[], byte[]> consumer;
    private KafkaProducer<byte[], byte[]> deadLetters;
    private Thread thread;
    private volatile boolean running;

    public DocsConsumer(RetrievalRuntime runtime, RetrievalConfig config,
            @ConfigProperty(name = "mesh.kafka.bootstrap-servers") String bootstrap) {
        this.runtime = runtime;
        this.config = config;
        this.bootstrap = bootstrap;
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.docsConsumerEnabled()) {
            return;
        }
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "64");
        consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        deadLetters = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        running = true;
        thread = Thread.ofPlatform().name("mesh.docs-consumer").daemon(true).start(this::run);
    }

    void onStop(@Observes ShutdownEvent event) throws InterruptedException {
        if (thread == null) {
            return;
        }
        running = false;
        consumer.wakeup();
        thread.join(TimeUnit.SECONDS.toMillis(10));
        deadLetters.close(Duration.ofSeconds(5));
    }

    private void run() {
        try {
            consumer.subscribe(List.of(MeshTopic.DOCS.topicName()));
            while (running) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofSeconds(1));
                if (!records.isEmpty()) {
                    handle(records);
                    consumer.commitSync();
                }
            }
        } catch (WakeupException stopping) {
            // shutdown
        } catch (Exception e) {
            LOG.error("the mesh.docs consumer stopped: " + e.getMessage(), e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void handle(ConsumerRecords<byte[], byte[]> records) throws Exception {
        List<SourceDocument> documents = new ArrayList<>();
        List<ConsumerRecord<byte[], byte[]>> origins = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            if (record.value() == null) {
                deadLetter(record, DeadLetterCause.DEAD_LETTER_CAUSE_UNPARSEABLE, "the record has no value (a tombstone)");
                continue;
            }
            DocumentToIndex message;
            try {
                message = DocumentToIndex.parseFrom(record.value());
            } catch (InvalidProtocolBufferException e) {
                deadLetter(record, DeadLetterCause.DEAD_LETTER_CAUSE_UNPARSEABLE,
                        "the value is not a sparrowmesh.v1.DocumentToIndex: " + e.getMessage());
                continue;
            }
            String violation = message.hasDocument() ? DocumentRules.violation(message.getDocument()) : "document is missing";
            if (violation != null) {
                deadLetter(record, DeadLetterCause.DEAD_LETTER_CAUSE_INVALID, violation);
                continue;
            }
            documents.add(DocumentRules.toSource(message.getDocument()));
            origins.add(record);
        }
        if (documents.isEmpty()) {
            return;
        }
        try {
            var report = runtime.index().add(documents, runtime.embeddings(), true);
            LOG.debugf("indexed %d documents from mesh.docs (%d passages)", report.documents(), report.passages());
        } catch (Exception e) {
            for (ConsumerRecord<byte[], byte[]> record : origins) {
                deadLetter(record, DeadLetterCause.DEAD_LETTER_CAUSE_PROCESSING_FAILED, "indexing failed: " + e.getMessage());
            }
        }
    }

    /** Sends the record, whole, to mesh.dlq and waits for the broker to have it before offsets move on. */
    private void deadLetter(ConsumerRecord<byte[], byte[]> record, DeadLetterCause cause, String reason) throws Exception {
        Instant now = Instant.now();
        DeadLetter.Builder letter = DeadLetter.newBuilder().setOriginTopic(record.topic())
                .setOriginPartition(record.partition()).setOriginOffset(record.offset()).setCause(cause).setReason(reason)
                .setConsumerGroup(GROUP).setConsumerService("retrieval-tool")
                .setOriginalTimestamp(Timestamp.newBuilder().setSeconds(record.timestamp() / 1000)
                        .setNanos((int) (record.timestamp() % 1000) * 1_000_000))
                .setOccurredAt(Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()));
        if (record.key() != null) {
            letter.setOriginalKey(ByteString.copyFrom(record.key()));
        }
        if (record.value() != null) {
            letter.setOriginalValue(ByteString.copyFrom(record.value()));
        }
        for (Header header : record.headers()) {
            RecordHeader.Builder h = RecordHeader.newBuilder().setKey(header.key());
            if (header.value() != null) {
                h.setValue(ByteString.copyFrom(header.value()));
            }
            letter.addOriginalHeaders(h);
        }
        ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(MeshTopic.DEAD_LETTERS.topicName(), record.key(),
                letter.build().toByteArray());
        Map.of(CloudEventHeaders.SPECVERSION, CloudEventHeaders.SPEC_VERSION,
                CloudEventHeaders.ID, UUID.randomUUID().toString(),
                CloudEventHeaders.SOURCE, "/sparrow-mesh/retrieval-tool",
                CloudEventHeaders.TYPE, CloudEventHeaders.TYPE_PREFIX + "DeadLetter",
                CloudEventHeaders.TIME, now.toString(),
                CloudEventHeaders.CONTENT_TYPE, CloudEventHeaders.PROTOBUF_CONTENT_TYPE)
                .forEach((k, v) -> out.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
        deadLetters.send(out).get(30, TimeUnit.SECONDS);
        LOG.warnf("mesh.docs %d/%d → mesh.dlq: %s", record.partition(), record.offset(), reason);
    }
}
