package org.sparrowmesh.kafka;

import java.time.Instant;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.sparrowmesh.events.MeshTopic;
import org.sparrowmesh.proto.v1.DeadLetter;
import org.sparrowmesh.proto.v1.DeadLetterCause;
import org.sparrowmesh.proto.v1.RecordHeader;

/**
 * The dead letters one consumer writes to {@code mesh.dlq} (DESIGN §4): a record it could not
 * process, whole (key, value, headers), with why and where it came from, so an operator can read
 * the reason and replay the record once it is fixed.
 *
 * @param consumerGroup   the group of the consumer that gave up on the records
 * @param consumerService the service it belongs to, e.g. {@code gateway}
 * @param source          the CloudEvents source of the dead letters, e.g. {@code /sparrow-mesh/gateway/batch}
 */
public record DeadLetters(String consumerGroup, String consumerService, String source) {

    /** The dead letter of {@code record}, keyed by the record's own key, with CloudEvents headers. */
    public ProducerRecord<byte[], byte[]> of(ConsumerRecord<byte[], byte[]> record, DeadLetterCause cause, String reason) {
        DeadLetter.Builder letter = DeadLetter.newBuilder().setOriginTopic(record.topic())
                .setOriginPartition(record.partition()).setOriginOffset(record.offset()).setCause(cause).setReason(reason)
                .setConsumerGroup(consumerGroup).setConsumerService(consumerService)
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
        ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(MeshTopic.DEAD_LETTERS.topicName(), record.key(), value.toByteArray());
        CloudEvents.stamp(out.headers(), source, value);
        return out;
    }

    private static Timestamp timestamp(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }
}
