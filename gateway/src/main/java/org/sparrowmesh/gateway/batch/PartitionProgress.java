package org.sparrowmesh.gateway.batch;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The questions of one input partition between poll and commit, by offset. Answers finish in any
 * order, but the consumer offset can only move past a contiguous run of finished questions: the
 * committable part is the finished prefix, and its records go out in the same transaction as the
 * offset after it. Offsets need not be consecutive (transaction markers take offsets too). Not
 * thread-safe: the answerer's loop thread owns it.
 */
final class PartitionProgress {

    /** Offset → output records once the question is done; null while it is still being answered. */
    private final TreeMap<Long, List<ProducerRecord<byte[], byte[]>>> offsets = new TreeMap<>();
    private long highestPolled = -1;

    /** What one transaction takes from a partition: the records of its finished prefix and the next offset. */
    record Committable(List<ProducerRecord<byte[], byte[]>> records, long nextOffset, int questions) {
    }

    /** A record was polled at {@code offset}; offsets arrive in increasing order. */
    void polled(long offset) {
        // a consumer that went back (an offset reset) would answer questions twice: the session restarts instead
        if (offset <= highestPolled) {
            throw new IllegalStateException("offset " + offset + " polled after " + highestPolled);
        }
        highestPolled = offset;
        offsets.put(offset, null);
    }

    /** The question at {@code offset} is done; {@code records} are its answer and/or dead letter. */
    void done(long offset, List<ProducerRecord<byte[], byte[]>> records) {
        if (!offsets.containsKey(offset)) {
            return; // already committed or dropped
        }
        offsets.put(offset, List.copyOf(records));
    }

    /** The finished prefix, or null when the first question is still being answered. */
    Committable committable() {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        long last = -1;
        int questions = 0;
        for (Map.Entry<Long, List<ProducerRecord<byte[], byte[]>>> e : offsets.entrySet()) {
            if (e.getValue() == null) {
                break;
            }
            records.addAll(e.getValue());
            last = e.getKey();
            questions++;
        }
        return questions == 0 ? null : new Committable(records, last + 1, questions);
    }

    /** The transaction holding every offset below {@code nextOffset} committed: forget them. */
    void committed(long nextOffset) {
        Iterator<Long> it = offsets.keySet().iterator();
        while (it.hasNext() && it.next() < nextOffset) {
            it.remove();
        }
    }

    /** Questions polled and not committed yet. */
    int pending() {
        return offsets.size();
    }
}
