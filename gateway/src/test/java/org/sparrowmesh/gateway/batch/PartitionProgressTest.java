package org.sparrowmesh.gateway.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** The commit rule: only a finished prefix goes out, with the offset after its last record. */
class PartitionProgressTest {

    private static List<ProducerRecord<byte[], byte[]>> answer(String id) {
        return List.of(new ProducerRecord<>("mesh.batch-answers", id.getBytes(), new byte[0]));
    }

    @Test
    void answersFinishingOutOfOrderAreCommittedOnlyAsAFinishedPrefix() {
        PartitionProgress p = new PartitionProgress();
        // offsets with a gap (a transaction marker took offset 12)
        for (long offset : new long[] {10, 11, 13, 14}) {
            p.polled(offset);
        }
        p.done(13, answer("c"));
        p.done(11, answer("b"));
        assertThat(p.committable()).as("the first question is still running").isNull();

        p.done(10, answer("a"));
        PartitionProgress.Committable c = p.committable();
        assertThat(c.questions()).isEqualTo(3);
        assertThat(c.nextOffset()).isEqualTo(14); // past 13, not past 14, which is still running
        assertThat(c.records()).extracting(r -> new String(r.key())).containsExactly("a", "b", "c");

        p.committed(c.nextOffset());
        assertThat(p.pending()).isEqualTo(1);
        assertThat(p.committable()).isNull();
        p.done(14, answer("d"));
        assertThat(p.committable().nextOffset()).isEqualTo(15);
    }

    @Test
    void aFinishedQuestionThatWasAlreadyCommittedOrDroppedIsIgnored() {
        PartitionProgress p = new PartitionProgress();
        p.polled(0);
        p.done(0, answer("a"));
        p.committed(1);
        p.done(0, answer("a-again"));
        assertThat(p.committable()).isNull();
        assertThat(p.pending()).isZero();
        assertThatThrownBy(() -> p.polled(0)).isInstanceOf(IllegalStateException.class);
    }
}
