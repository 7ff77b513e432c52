package org.sparrowmesh.launcher;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.sparrowmesh.proto.v1.BatchAnswer;

/**
 * Counts the answers on mesh.batch-answers by key the way their users read them: one
 * {@code read_committed} consumer over every partition from the beginning, kept open across
 * broker restarts. Records of aborted (or still open) transactions are never counted.
 */
final class AnswerCounter implements AutoCloseable {

    private final String bootstrap;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<TopicPartition> partitions;
    final Map<String, Integer> counts = new HashMap<>();
    final Map<String, BatchAnswer> answers = new HashMap<>();

    AnswerCounter(String bootstrap, String topic) {
        this.bootstrap = bootstrap;
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    void pollOnce() {
        try {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                String key = new String(record.key(), StandardCharsets.UTF_8);
                counts.merge(key, 1, Integer::sum);
                try {
                    answers.put(key, BatchAnswer.parseFrom(record.value()));
                } catch (Exception e) {
                    throw new AssertionError("not a BatchAnswer under key " + key, e);
                }
            }
        } catch (KafkaException brokerAway) {
            // the broker is restarting; the next poll reconnects
        }
    }

    long answered(Collection<String> ids) {
        return ids.stream().filter(counts::containsKey).count();
    }

    long answeredBy(Collection<String> ids, String instance) {
        return ids.stream().map(answers::get).filter(a -> a != null && a.getAnsweredBy().equals(instance)).count();
    }

    /** Polls (with a deadline) until at least {@code n} of {@code ids} have an answer. */
    void awaitAnswered(Collection<String> ids, long n, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (answered(ids) < n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(answered(ids) + " of " + ids.size() + " answered within " + timeout + ", expected " + n);
            }
            pollOnce();
        }
    }

    /**
     * Waits until the batch group has committed every question offset (no question is left to
     * answer, so no answer can still come), then reads the answers up to their end: the counts are final.
     */
    void awaitSettled(String group, String questionsTopic, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Properties a = new Properties();
        a.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(a)) {
            while (true) {
                // a stable read: waits for offsets that an open transaction still carries
                Map<TopicPartition, OffsetAndMetadata> committed;
                Map<TopicPartition, org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo> ends;
                try {
                    committed = admin.listConsumerGroupOffsets(group, new ListConsumerGroupOffsetsOptions().requireStable(true))
                            .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
                    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                    admin.describeTopics(List.of(questionsTopic)).allTopicNames().get(30, TimeUnit.SECONDS).get(questionsTopic)
                            .partitions().forEach(p -> latest.put(new TopicPartition(questionsTopic, p.partition()), OffsetSpec.latest()));
                    ends = admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException | java.util.concurrent.TimeoutException notNow) {
                    if (System.nanoTime() > deadline) {
                        throw notNow;
                    }
                    pollOnce();
                    continue;
                }
                boolean done = ends.entrySet().stream().allMatch(e -> e.getValue().offset() == 0
                        || committed.containsKey(e.getKey()) && committed.get(e.getKey()).offset() >= e.getValue().offset());
                if (done) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the batch group still has questions to answer: committed " + committed + ", ends " + ends);
                }
                pollOnce();
            }
        }
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
        while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("did not read the answers to their end");
            }
            pollOnce();
        }
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
