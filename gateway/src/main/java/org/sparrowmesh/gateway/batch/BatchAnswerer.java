package org.sparrowmesh.gateway.batch;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.google.rpc.Code;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.subscription.Cancellable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jboss.logging.Logger;
import org.sparrowmesh.events.MeshTopic;
import org.sparrowmesh.gateway.turn.TurnPipeline;
import org.sparrowmesh.kafka.KafkaConnection;
import org.sparrowmesh.kafka.RecordTracing;
import org.sparrowmesh.proto.v1.BatchAnswer;
import org.sparrowmesh.proto.v1.BatchQuestion;
import org.sparrowmesh.proto.v1.DeadLetterCause;
import org.sparrowmesh.proto.v1.Turn;

/**
 * Answers the questions of {@code mesh.questions} with the chat's own {@link TurnPipeline} and
 * writes each answer to {@code mesh.batch-answers}, exactly once per question (DESIGN §4).
 *
 * <p>Consume-transform-produce in Kafka transactions: the answers of a run of finished questions
 * and the consumer offset after them go to the broker in one transaction, so they become visible
 * together or not at all. Readers use {@code isolation.level=read_committed}. A crash (or kill -9)
 * before the commit leaves an open transaction that is aborted — at once when the instance comes
 * back under the same {@code mesh.batch.instance-id} (same transactional id), else after
 * {@code mesh.batch.transaction-timeout} — and the questions are answered again by whoever owns
 * their partition then; their first answers were never visible. Offsets are fetched as stable
 * (read_committed consumers wait for pending transactional offsets), and a zombie that lost its
 * partitions is fenced by the group generation sent with the offsets (KIP-447).
 *
 * <p>At most {@code mesh.batch.max-in-flight} questions run at once per instance; partitions are
 * paused while the window is full, so the decoder's queue never sees more than the window. A
 * record that cannot be parsed, or a question the pipeline rejects, goes to {@code mesh.dlq} in
 * the same transaction (with the reason and its origin topic, partition, offset); a question with
 * a usable id also gets an error answer, so whoever waits for it is told.
 *
 * <p>One loop thread owns the consumer, the producer and the partition state; answers finish on
 * gRPC threads and hand their records back through a queue. Any Kafka failure the loop cannot
 * ride out ends the session: clients are closed, unfinished work is dropped, and a new session
 * resumes from the committed offsets — always safe, because nothing uncommitted is visible.
 *
 * <p>Each question is answered inside a {@code process mesh.questions} CONSUMER span, a child of
 * the trace its record carries ({@code traceparent}); the turn's gRPC calls hang under it, and the
 * answer and dead-letter records it writes carry that span's context, so a question and its answer
 * are one trace. Those records get no PRODUCER span of their own: they are sent when their
 * transaction is, possibly more than once (an aborted transaction is retried), and become visible
 * only when it commits.
 */
@ApplicationScoped
public class BatchAnswerer {

    private static final Logger LOG = Logger.getLogger(BatchAnswerer.class);
    private static final Duration BUSY_POLL = Duration.ofMillis(20);
    private static final Duration IDLE_POLL = Duration.ofMillis(250);

    private final TurnPipeline pipeline;
    private final BatchSettings settings;
    private final KafkaConnection connection;
    private final RecordTracing tracing;
    private final String instanceId;

    private final ConcurrentLinkedQueue<Finished> finished = new ConcurrentLinkedQueue<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger inFlightPeak = new AtomicInteger();
    private final Counter answers;
    private final Counter errors;
    private final Counter deadLetters;
    private final Counter transactions;
    private final Counter aborted;

    private volatile boolean running;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private Thread thread;

    // ---- owned by the loop thread
    private KafkaProducer<byte[], byte[]> producer;
    private final Map<TopicPartition, PartitionProgress> progress = new HashMap<>();
    private final Map<TopicPartition, Integer> epochs = new HashMap<>();
    private final Map<TopicPartition, Map<Long, Question>> started = new HashMap<>();
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    private int epochCounter;
    private long lastCommitNanos = System.nanoTime();

    /** A question whose turn finished: its output records, for the partition state of {@code epoch}. */
    private record Finished(TopicPartition partition, long offset, int epoch, List<ProducerRecord<byte[], byte[]>> records) {
    }

    /** A polled question waiting for a slot in the in-flight window. */
    private record Waiting(ConsumerRecord<byte[], byte[]> record, BatchQuestion question) {
    }

    /**
     * A question being answered; {@code settled} makes "finished" and "dropped" count it out of the
     * window once, and end its span once.
     */
    private static final class Question {
        final AtomicBoolean settled = new AtomicBoolean();
        final Span span;
        volatile Cancellable call;

        Question(Span span) {
            this.span = span;
        }
    }

    public BatchAnswerer(TurnPipeline pipeline, BatchSettings settings, KafkaConnection connection, RecordTracing tracing,
            MeterRegistry metrics) {
        this.pipeline = pipeline;
        this.settings = settings;
        this.connection = connection;
        this.tracing = tracing;
        this.instanceId = settings.instanceId().filter(s -> !s.isBlank()).orElseGet(() -> UUID.randomUUID().toString());
        if (settings.maxInFlight() < 1 || settings.maxInFlight() > 1024) {
            throw new IllegalArgumentException("mesh.batch.max-in-flight must be within [1, 1024], got " + settings.maxInFlight());
        }
        metrics.gauge("mesh_batch_in_flight", inFlight);
        metrics.gauge("mesh_batch_in_flight_peak", inFlightPeak);
        metrics.gauge("mesh_batch_in_flight_limit", settings.maxInFlight());
        answers = metrics.counter("mesh_batch_answers_total", "outcome", "answer");
        errors = metrics.counter("mesh_batch_answers_total", "outcome", "error");
        deadLetters = metrics.counter("mesh_batch_dead_letters_total");
        transactions = metrics.counter("mesh_batch_transactions_total", "result", "committed");
        aborted = metrics.counter("mesh_batch_transactions_total", "result", "aborted");
    }

    void onStart(@Observes StartupEvent event) {
        if (!settings.enabled()) {
            LOG.info("batch answering is off (mesh.batch.enabled=false)");
            return;
        }
        running = true;
        thread = Thread.ofPlatform().name("mesh-batch-answerer").daemon(true).start(this::run);
        LOG.infof("batch answering of %s as instance %s (group %s, at most %d questions in flight)",
                MeshTopic.QUESTIONS.topicName(), instanceId, settings.groupId(), settings.maxInFlight());
    }

    void onStop(@Observes ShutdownEvent event) throws InterruptedException {
        if (thread == null) {
            return;
        }
        running = false;
        stopped.countDown();
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        thread.join(TimeUnit.SECONDS.toMillis(12));
    }

    /** The name this instance writes into {@code BatchAnswer.answered_by}. */
    public String instanceId() {
        return instanceId;
    }

    /** Most questions that were in flight at once since start. */
    public int inFlightPeak() {
        return inFlightPeak.get();
    }

    // ------------------------------------------------------------------ the loop

    private void run() {
        while (running) {
            try {
                session();
            } catch (WakeupException stopping) {
                // shutdown
            } catch (Exception e) {
                if (!running) {
                    break;
                }
                LOG.warnf("batch answering restarts from the committed offsets after: %s", describe(e));
                LOG.debug("batch session failure", e);
                try {
                    stopped.await(1, TimeUnit.SECONDS); // back off, but leave at once on shutdown
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    /** One consumer + transactional producer, until shutdown or a failure the loop cannot ride out. */
    private void session() {
        producer = new KafkaProducer<>(producerConfig(), new ByteArraySerializer(), new ByteArraySerializer());
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerConfig(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        consumer = c;
        try {
            producer.initTransactions(); // fences an earlier producer of this instance id, aborting its open transaction
            c.subscribe(List.of(MeshTopic.QUESTIONS.topicName()), new Rebalance());
            while (running) {
                takeFinished();
                startWaiting();
                commit(false);
                adjustPause(c);
                try {
                    for (ConsumerRecord<byte[], byte[]> record : c.poll(inFlight.get() > 0 || !waiting.isEmpty() ? BUSY_POLL : IDLE_POLL)) {
                        accept(record);
                    }
                } catch (WakeupException e) {
                    if (!running) {
                        break;
                    }
                }
            }
            // a clean stop: commit what is finished; the rest is answered by the next owner
            takeFinished();
            commit(true);
        } finally {
            dropAll();
            consumer = null;
            // bounded: with the broker gone, leaving the group must not hold up the gateway's shutdown
            closeQuietly(() -> c.close(Duration.ofSeconds(5)));
            KafkaProducer<byte[], byte[]> p = producer;
            closeQuietly(() -> p.close(Duration.ofSeconds(5)));
        }
    }

    private Properties consumerConfig() {
        Properties c = connection.clientProperties();
        c.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId());
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, "mesh-batch-" + instanceId);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // questions written in a producer's transaction count only once it commits; committed
        // offsets are read as stable, i.e. after any transaction that carries them has ended
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(settings.maxInFlight()));
        // only the partitions that move stop; the others keep answering through a rebalance
        c.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        c.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, Long.toString(settings.sessionTimeout().toMillis()));
        c.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, Long.toString(Math.max(500, settings.sessionTimeout().toMillis() / 3)));
        return c;
    }

    private Properties producerConfig() {
        Properties p = connection.clientProperties();
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "mesh-batch-" + instanceId);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "mesh-batch-" + instanceId);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, Long.toString(settings.transactionTimeout().toMillis()));
        // a broker restart is ridden out by the retries within these bounds; beyond them the session restarts
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "15000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        return p;
    }

    // ------------------------------------------------------------------ questions in

    private void accept(ConsumerRecord<byte[], byte[]> record) {
        TopicPartition tp = new TopicPartition(record.topic(), record.partition());
        PartitionProgress p = progress.get(tp);
        if (p == null) {
            return; // revoked within this poll; the new owner reads it
        }
        p.polled(record.offset());
        QuestionRecord q = QuestionRecord.read(record);
        if (q.rejected()) {
            Span span = tracing.startProcess(record, settings.groupId());
            p.done(record.offset(), traced(span, rejection(record, q.questionId(), q.cause(), q.reason()), q.reason()));
            return;
        }
        waiting.add(new Waiting(record, q.question()));
    }

    /** The dead letter of a record and, when its id is usable, the INVALID_ARGUMENT answer of its question. */
    private List<ProducerRecord<byte[], byte[]>> rejection(ConsumerRecord<byte[], byte[]> record, String questionId,
            DeadLetterCause cause, String reason) {
        LOG.warnf("%s %d/%d → %s: %s", record.topic(), record.partition(), record.offset(),
                MeshTopic.DEAD_LETTERS.topicName(), reason);
        List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>(2);
        out.add(BatchRecords.deadLetter(record, cause, reason, settings.groupId()));
        if (questionId != null) {
            out.add(BatchRecords.answer(AnswerCollector.error(questionId, instanceId, Code.INVALID_ARGUMENT, reason)));
        }
        return out;
    }

    private void startWaiting() {
        while (!waiting.isEmpty() && inFlight.get() < settings.maxInFlight()) {
            start(waiting.poll());
        }
    }

    private void start(Waiting w) {
        ConsumerRecord<byte[], byte[]> record = w.record();
        TopicPartition tp = new TopicPartition(record.topic(), record.partition());
        Integer epoch = epochs.get(tp);
        if (epoch == null) {
            return;
        }
        BatchQuestion question = w.question();
        Turn turn = Turn.newBuilder().setText(question.getText()).setOptions(question.getOptions())
                .setTurnId(question.getQuestionId()).build();
        Span span = tracing.startProcess(record, settings.groupId());
        // current while the turn starts: its gRPC calls are made (and traced) under this span
        try (Scope ignored = span.makeCurrent()) {
            io.smallrye.mutiny.Multi<org.sparrowmesh.proto.v1.TurnEvent> events;
            try {
                events = pipeline.runStandalone(turn);
            } catch (IllegalArgumentException invalid) {
                // the pipeline's own checks of the text and options (INVALID_ARGUMENT in chat)
                progress.get(tp).done(record.offset(), traced(span, rejection(record, question.getQuestionId(),
                        DeadLetterCause.DEAD_LETTER_CAUSE_INVALID, invalid.getMessage()), invalid.getMessage()));
                return;
            }
            AnswerCollector collector = new AnswerCollector(question.getQuestionId(), instanceId);
            Question q = new Question(span);
            int now = inFlight.incrementAndGet();
            inFlightPeak.accumulateAndGet(now, Math::max);
            started.computeIfAbsent(tp, k -> new HashMap<>()).put(record.offset(), q);
            q.call = events.onItem().invoke(collector::accept).collect().last()
                    .ifNoItem().after(settings.questionTimeout()).fail()
                    .subscribe().with(
                            last -> settle(q, tp, record.offset(), epoch, answerRecords(collector.finish()), null),
                            failure -> settle(q, tp, record.offset(), epoch, failureRecords(record, question, failure),
                                    describe(failure)));
        }
    }

    /**
     * Puts the context of the question's span into every record written for it and ends the span;
     * {@code failure} (null when the question was answered) marks it failed.
     */
    private List<ProducerRecord<byte[], byte[]>> traced(Span span, List<ProducerRecord<byte[], byte[]>> records, String failure) {
        Context context = Context.root().with(span);
        records.forEach(r -> tracing.inject(context, r.headers()));
        if (failure != null) {
            span.setStatus(StatusCode.ERROR, failure);
        }
        span.end();
        return records;
    }

    private List<ProducerRecord<byte[], byte[]>> answerRecords(BatchAnswer answer) {
        return List.of(BatchRecords.answer(answer));
    }

    private List<ProducerRecord<byte[], byte[]>> failureRecords(ConsumerRecord<byte[], byte[]> record, BatchQuestion question,
            Throwable failure) {
        if (failure instanceof IllegalArgumentException invalid) {
            return rejection(record, question.getQuestionId(), DeadLetterCause.DEAD_LETTER_CAUSE_INVALID, invalid.getMessage());
        }
        boolean timeout = failure instanceof TimeoutException;
        String reason = timeout ? "no answer within mesh.batch.question-timeout (" + settings.questionTimeout() + ")"
                : "the turn failed: " + describe(failure);
        LOG.warnf("question %s: %s", question.getQuestionId(), reason);
        List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>(2);
        out.add(BatchRecords.answer(AnswerCollector.error(question.getQuestionId(), instanceId,
                timeout ? Code.DEADLINE_EXCEEDED : Code.INTERNAL, reason)));
        out.add(BatchRecords.deadLetter(record, DeadLetterCause.DEAD_LETTER_CAUSE_PROCESSING_FAILED, reason, settings.groupId()));
        return out;
    }

    /** Called on whatever thread finished the turn; {@code failure} is null for an answer. */
    private void settle(Question q, TopicPartition tp, long offset, int epoch, List<ProducerRecord<byte[], byte[]>> records,
            String failure) {
        if (q.settled.compareAndSet(false, true)) {
            inFlight.decrementAndGet();
            finished.add(new Finished(tp, offset, epoch, traced(q.span, records, failure)));
        }
    }

    private void takeFinished() {
        Finished f;
        while ((f = finished.poll()) != null) {
            Integer epoch = epochs.get(f.partition());
            if (epoch != null && epoch == f.epoch()) {
                progress.get(f.partition()).done(f.offset(), f.records());
                Map<Long, Question> calls = started.get(f.partition());
                if (calls != null) {
                    calls.remove(f.offset());
                }
            }
        }
    }

    private void adjustPause(KafkaConsumer<byte[], byte[]> c) {
        boolean full = inFlight.get() + waiting.size() >= settings.maxInFlight();
        if (full) {
            c.pause(c.assignment());
        } else if (!c.paused().isEmpty()) {
            c.resume(c.paused());
        }
    }

    // ------------------------------------------------------------------ answers out

    /**
     * Writes the finished prefix of every partition and the offsets after them in one transaction.
     * Unless {@code force}, waits until the commit interval has passed or the window's worth is ready.
     */
    private void commit(boolean force) {
        Map<TopicPartition, PartitionProgress.Committable> ready = new HashMap<>();
        int questions = 0;
        for (Map.Entry<TopicPartition, PartitionProgress> e : progress.entrySet()) {
            PartitionProgress.Committable c = e.getValue().committable();
            if (c != null) {
                ready.put(e.getKey(), c);
                questions += c.questions();
            }
        }
        if (ready.isEmpty()) {
            return;
        }
        long sinceLast = System.nanoTime() - lastCommitNanos;
        if (!force && sinceLast < settings.commitInterval().toNanos() && questions < settings.maxInFlight()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        ready.forEach((tp, c) -> offsets.put(tp, new OffsetAndMetadata(c.nextOffset())));
        producer.beginTransaction();
        try {
            for (PartitionProgress.Committable c : ready.values()) {
                for (ProducerRecord<byte[], byte[]> record : c.records()) {
                    producer.send(record);
                }
            }
            producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
            commitTransaction();
        } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException | UnsupportedVersionException
                | FencedInstanceIdException fatal) {
            aborted.increment();
            throw fatal; // this producer is done: a new session starts from the committed offsets
        } catch (KafkaException abortable) {
            aborted.increment();
            LOG.warnf("batch transaction aborted, its %d answers are retried: %s", questions, describe(abortable));
            producer.abortTransaction(); // throws when the producer cannot go on: the session restarts
            lastCommitNanos = System.nanoTime();
            return;
        }
        lastCommitNanos = System.nanoTime();
        transactions.increment();
        for (Map.Entry<TopicPartition, PartitionProgress.Committable> e : ready.entrySet()) {
            progress.get(e.getKey()).committed(e.getValue().nextOffset());
            for (ProducerRecord<byte[], byte[]> record : e.getValue().records()) {
                if (record.topic().equals(MeshTopic.DEAD_LETTERS.topicName())) {
                    deadLetters.increment();
                } else if (isError(record)) {
                    errors.increment();
                } else {
                    answers.increment();
                }
            }
        }
    }

    private static boolean isError(ProducerRecord<byte[], byte[]> answer) {
        try {
            return BatchAnswer.parseFrom(answer.value()).hasError();
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            return false; // we wrote it
        }
    }

    /** A commit that timed out may be retried as it is (the broker may be restarting); other failures end it. */
    private void commitTransaction() {
        for (int attempt = 1; ; attempt++) {
            try {
                producer.commitTransaction();
                return;
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                if (!running || attempt >= 4) {
                    throw e;
                }
                LOG.infof("batch transaction commit timed out (attempt %d), retrying: %s", attempt, e.getMessage());
            }
        }
    }

    // ------------------------------------------------------------------ partitions moving

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            for (TopicPartition tp : partitions) {
                progress.put(tp, new PartitionProgress());
                epochs.put(tp, ++epochCounter);
            }
            LOG.infof("batch instance %s answers %s", instanceId, partitions);
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            // still ours until this returns: hand over what is finished, drop the rest
            try {
                takeFinished();
                commit(true);
            } catch (KafkaException e) {
                LOG.infof("finished answers of revoked partitions not committed (they are answered again): %s", describe(e));
            }
            drop(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            drop(partitions); // someone else may own them already: commit nothing
        }
    }

    private void drop(Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            progress.remove(tp);
            epochs.remove(tp);
            Map<Long, Question> calls = started.remove(tp);
            if (calls != null) {
                calls.values().forEach(this::cancel);
            }
        }
        waiting.removeIf(w -> partitions.contains(new TopicPartition(w.record().topic(), w.record().partition())));
    }

    private void dropAll() {
        drop(new ArrayList<>(progress.keySet()));
        started.values().forEach(calls -> calls.values().forEach(this::cancel));
        started.clear();
        waiting.clear();
        finished.clear();
    }

    /** Cancels the turn (the decoder frees its sequences) and gives its slot back. */
    private void cancel(Question q) {
        if (q.settled.compareAndSet(false, true)) {
            inFlight.decrementAndGet();
            q.span.setStatus(StatusCode.ERROR, "dropped unanswered: its partition moved or the session ended");
            q.span.end();
        }
        Cancellable call = q.call;
        if (call != null) {
            call.cancel();
        }
    }

    private static void closeQuietly(Runnable close) {
        try {
            close.run();
        } catch (RuntimeException e) {
            LOG.debug("closing a batch client", e);
        }
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
