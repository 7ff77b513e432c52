package org.sparrowmesh.gateway.batch;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.sparrowmesh.events.CloudEventHeaders;
import org.sparrowmesh.events.MeshTopic;
import org.sparrowmesh.proto.v1.BatchAnswer;
import org.sparrowmesh.proto.v1.DeadLetter;
import org.sparrowmesh.proto.v1.DeadLetterCause;
import org.sparrowmesh.proto.v1.RecordHeader;

/** The records the batch answerer writes: answers on {@code mesh.batch-answers}, dead letters on {@code mesh.dlq}. */
final class BatchRecords {

    static final String SOURCE = "/sparrow-mesh/gateway/batch";

    private BatchRecords() {
    }

    /** The answer, keyed by its question id, with CloudEvents headers. */
    static ProducerRecord<byte[], byte[]> answer(BatchAnswer answer) {
        return withHeaders(new ProducerRecord<>(MeshTopic.BATCH_ANSWERS.topicName(),
                answer.getQuestionId().getBytes(StandardCharsets.UTF_8), answer.toByteArray()), answer);
    }

    /** The record, whole, with why it was not answered and where it came from; keyed by its own key. */
    static ProducerRecord<byte[], byte[]> deadLetter(ConsumerRecord<byte[], byte[]> record, DeadLetterCause cause,
            String reason, String group) {
        DeadLetter.Builder letter = DeadLetter.newBuilder().setOriginTopic(record.topic())
                .setOriginPartition(record.partition()).setOriginOffset(record.offset()).setCause(cause).setReason(reason)
                .setConsumerGroup(group).setConsumerService("gateway")
                .setOriginalTimestamp(timestamp(Instant.ofEpochMilli(record.timestamp())))
                .setOccurredAt(timestamp(Instant.now()));
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
        DeadLetter value = letter.build();
        return withHeaders(new ProducerRecord<>(MeshTopic.DEAD_LETTERS.topicName(), record.key(), value.toByteArray()), value);
    }

    private static ProducerRecord<byte[], byte[]> withHeaders(ProducerRecord<byte[], byte[]> record, Message value) {
        record.headers().add(CloudEventHeaders.SPECVERSION, utf8(CloudEventHeaders.SPEC_VERSION))
                .add(CloudEventHeaders.ID, utf8(UUID.randomUUID().toString()))
                .add(CloudEventHeaders.SOURCE, utf8(SOURCE))
                .add(CloudEventHeaders.TYPE, utf8(CloudEventHeaders.TYPE_PREFIX + value.getDescriptorForType().getName()))
                .add(CloudEventHeaders.TIME, utf8(Instant.now().toString()))
                .add(CloudEventHeaders.CONTENT_TYPE, utf8(CloudEventHeaders.PROTOBUF_CONTENT_TYPE));
        return record;
    }

    static Timestamp timestamp(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
