package org.sparrowmesh.gateway.batch;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads a topic the way the users of batch answers must: {@code read_committed}, from the beginning,
 * until the records read satisfy {@code done} (checked at the end offsets of each pass), or fails
 * after the deadline. Aborted and still-open transactions are invisible to it.
 */
public final class CommittedAnswers {

    private CommittedAnswers() {
    }

    public static List<ConsumerRecord<byte[], byte[]>> readUntil(String bootstrap, String topic,
            Predicate<List<ConsumerRecord<byte[], byte[]>>> done, Duration deadline) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        long end = System.nanoTime() + deadline.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, deadline).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (true) {
                // read_committed: the end offsets are the last stable offsets
                Map<TopicPartition, Long> last = consumer.endOffsets(partitions, deadline);
                while (partitions.stream().anyMatch(tp -> consumer.position(tp) < last.get(tp))) {
                    if (System.nanoTime() > end) {
                        throw new AssertionError("did not reach the end of " + topic + " in time");
                    }
                    consumer.poll(Duration.ofMillis(100)).forEach(records::add);
                }
                if (done.test(records)) {
                    return records;
                }
                if (System.nanoTime() > end) {
                    throw new AssertionError("within " + deadline + ", " + topic + " has " + records.size()
                            + " committed records, not yet what the test waits for");
                }
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
            }
        }
    }

    public static String key(ConsumerRecord<byte[], byte[]> record) {
        return record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
    }
}
