package org.sparrowmesh.retrieval.server.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
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
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;
import org.sparrowmesh.events.MeshTopic;
import org.sparrowmesh.kafka.DeadLetters;
import org.sparrowmesh.kafka.KafkaConnection;
import org.sparrowmesh.kafka.RecordTracing;
import org.sparrowmesh.proto.v1.DeadLetterCause;
import org.sparrowmesh.proto.v1.DocumentToIndex;
import org.sparrowmesh.retrieval.index.SourceDocument;
import org.sparrowmesh.retrieval.server.grpc.DocumentRules;
import org.sparrowmesh.retrieval.server.runtime.RetrievalConfig;
import org.sparrowmesh.retrieval.server.runtime.RetrievalRuntime;

/**
 * Indexes the documents of topic {@code mesh.docs}: one poll's valid documents in one commit of
 * the index, then the offsets. A record that cannot be parsed or breaks the document rules goes
 * to {@code mesh.dlq} with the reason and its origin, and the consumer goes on. At least once:
 * a crash between indexing and committing offsets re-indexes the same ids, which replaces them.
 *
 * <p>Each record is processed inside a {@code process mesh.docs} CONSUMER span, a child of the
 * trace its producer put into its headers, until its document is in the index (or its dead letter
 * is on mesh.dlq, sent in a {@code publish mesh.dlq} span under it).
 */
@ApplicationScoped
public class DocsConsumer {

    private static final Logger LOG = Logger.getLogger(DocsConsumer.class);
    static final String GROUP = "retrieval-tool";

    private final RetrievalRuntime runtime;
    private final RetrievalConfig config;
    private final KafkaConnection connection;
    private final RecordTracing tracing;
    private final DeadLetters letters = new DeadLetters(GROUP, "retrieval-tool", "/sparrow-mesh/retrieval-tool");
    private KafkaConsumer<byte[], byte[]> consumer;
    private KafkaProducer<byte[], byte[]> deadLetters;
    private Thread thread;
    private volatile boolean running;

    public DocsConsumer(RetrievalRuntime runtime, RetrievalConfig config, Config settings, OpenTelemetry openTelemetry) {
        this.runtime = runtime;
        this.config = config;
        // read (and checked) at start even when the consumer is off: a bad mesh.kafka.* key fails early
        this.connection = KafkaConnection.from(key -> settings.getOptionalValue(key, String.class));
        this.tracing = new RecordTracing(openTelemetry);
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.docsConsumerEnabled()) {
            return;
        }
        LOG.infof("mesh.docs consumer uses %s", connection);
        Properties c = connection.clientProperties();
        c.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "64");
        consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        Properties p = connection.clientProperties();
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
        List<Span> indexing = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            Span span = tracing.startProcess(record, GROUP);
            if (record.value() == null) {
                deadLetter(record, span, DeadLetterCause.DEAD_LETTER_CAUSE_UNPARSEABLE, "the record has no value (a tombstone)");
                continue;
            }
            DocumentToIndex message;
            try {
                message = DocumentToIndex.parseFrom(record.value());
            } catch (InvalidProtocolBufferException e) {
                deadLetter(record, span, DeadLetterCause.DEAD_LETTER_CAUSE_UNPARSEABLE,
                        "the value is not a sparrowmesh.v1.DocumentToIndex: " + e.getMessage());
                continue;
            }
            String violation = message.hasDocument() ? DocumentRules.violation(message.getDocument()) : "document is missing";
            if (violation != null) {
                deadLetter(record, span, DeadLetterCause.DEAD_LETTER_CAUSE_INVALID, violation);
                continue;
            }
            documents.add(DocumentRules.toSource(message.getDocument()));
            origins.add(record);
            indexing.add(span);
        }
        if (documents.isEmpty()) {
            return;
        }
        try {
            // one index commit for the poll: each record's span lasts until its document is in
            var report = runtime.index().add(documents, runtime.embeddings(), true);
            LOG.debugf("indexed %d documents from mesh.docs (%d passages)", report.documents(), report.passages());
            indexing.forEach(Span::end);
        } catch (Exception e) {
            for (int i = 0; i < origins.size(); i++) {
                deadLetter(origins.get(i), indexing.get(i), DeadLetterCause.DEAD_LETTER_CAUSE_PROCESSING_FAILED,
                        "indexing failed: " + e.getMessage());
            }
        }
    }

    /**
     * Sends the record, whole, to mesh.dlq and waits for the broker to have it before offsets move
     * on; ends the record's processing span as failed, with the reason.
     */
    private void deadLetter(ConsumerRecord<byte[], byte[]> record, Span processing, DeadLetterCause cause, String reason)
            throws Exception {
        ProducerRecord<byte[], byte[]> out = letters.of(record, cause, reason);
        Span send = tracing.startSend(out, Context.root().with(processing));
        try {
            tracing.endSend(send, deadLetters.send(out).get(30, TimeUnit.SECONDS), null);
        } catch (Exception e) {
            tracing.endSend(send, null, e);
            throw e;
        } finally {
            processing.setStatus(StatusCode.ERROR, reason);
            processing.end();
        }
        LOG.warnf("mesh.docs %d/%d → mesh.dlq: %s", record.partition(), record.offset(), reason);
    }
}
