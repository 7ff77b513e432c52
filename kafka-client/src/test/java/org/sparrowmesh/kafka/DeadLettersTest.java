package org.sparrowmesh.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;
import org.sparrowmesh.proto.v1.DeadLetter;
import org.sparrowmesh.proto.v1.DeadLetterCause;

class DeadLettersTest {

    @Test
    void theDeadLetterHoldsTheRecordWholeWithWhyAndWhereFrom() throws Exception {
        RecordHeaders headers = new RecordHeaders();
        headers.add("content-type", "application/json".getBytes(StandardCharsets.UTF_8));
        headers.add("empty", null);
        ConsumerRecord<byte[], byte[]> bad = new ConsumerRecord<>("mesh.docs", 3, 42, 1_700_000_000_123L, TimestampType.CREATE_TIME,
                0, 0, "doc-1".getBytes(StandardCharsets.UTF_8), new byte[] {(byte) 0xff}, headers, Optional.empty());

        ProducerRecord<byte[], byte[]> out = new DeadLetters("retrieval-tool", "retrieval-tool", "/sparrow-mesh/retrieval-tool")
                .of(bad, DeadLetterCause.DEAD_LETTER_CAUSE_UNPARSEABLE, "not a DocumentToIndex");

        assertThat(out.topic()).isEqualTo("mesh.dlq");
        assertThat(out.key()).isEqualTo(bad.key());
        DeadLetter letter = DeadLetter.parseFrom(out.value());
        assertThat(letter.getOriginTopic()).isEqualTo("mesh.docs");
        assertThat(letter.getOriginPartition()).isEqualTo(3);
        assertThat(letter.getOriginOffset()).isEqualTo(42);
        assertThat(letter.getCause()).isEqualTo(DeadLetterCause.DEAD_LETTER_CAUSE_UNPARSEABLE);
        assertThat(letter.getReason()).isEqualTo("not a DocumentToIndex");
        assertThat(letter.getConsumerGroup()).isEqualTo("retrieval-tool");
        assertThat(letter.getOriginalKey().toStringUtf8()).isEqualTo("doc-1");
        assertThat(letter.getOriginalValue().toByteArray()).containsExactly((byte) 0xff);
        assertThat(letter.getOriginalTimestamp().getSeconds()).isEqualTo(1_700_000_000L);
        assertThat(letter.getOriginalTimestamp().getNanos()).isEqualTo(123_000_000);
        assertThat(letter.getOriginalHeadersList()).extracting(h -> h.getKey() + "=" + h.getValue().toStringUtf8())
                .containsExactly("content-type=application/json", "empty=");
        assertThat(new String(out.headers().lastHeader("ce_type").value(), StandardCharsets.UTF_8)).isEqualTo("org.sparrowmesh.v1.DeadLetter");
        assertThat(new String(out.headers().lastHeader("ce_source").value(), StandardCharsets.UTF_8)).isEqualTo("/sparrow-mesh/retrieval-tool");
    }
}
