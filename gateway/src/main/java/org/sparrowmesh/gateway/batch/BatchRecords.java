package org.sparrowmesh.gateway.batch;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import com.google.protobuf.Timestamp;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.sparrowmesh.events.MeshTopic;
import org.sparrowmesh.kafka.CloudEvents;
import org.sparrowmesh.kafka.DeadLetters;
import org.sparrowmesh.proto.v1.BatchAnswer;
import org.sparrowmesh.proto.v1.DeadLetterCause;

/** The records the batch answerer writes: answers on {@code mesh.batch-answers}, dead letters on {@code mesh.dlq}. */
final class BatchRecords {

    static final String SOURCE = "/sparrow-mesh/gateway/batch";

    private BatchRecords() {
    }

    /** The answer, keyed by its question id, with CloudEvents headers. */
    static ProducerRecord<byte[], byte[]> answer(BatchAnswer answer) {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(MeshTopic.BATCH_ANSWERS.topicName(),
                answer.getQuestionId().getBytes(StandardCharsets.UTF_8), answer.toByteArray());
        CloudEvents.stamp(record.headers(), SOURCE, answer);
        return record;
    }

    /** The record, whole, with why it was not answered and where it came from; keyed by its own key. */
    static ProducerRecord<byte[], byte[]> deadLetter(ConsumerRecord<byte[], byte[]> record, DeadLetterCause cause,
            String reason, String group) {
        return new DeadLetters(group, "gateway", SOURCE).of(record, cause, reason);
    }

    static Timestamp timestamp(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }
}
