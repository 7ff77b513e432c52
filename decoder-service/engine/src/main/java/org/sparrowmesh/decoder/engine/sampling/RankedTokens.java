package org.sparrowmesh.decoder.engine.sampling;

import java.util.Arrays;

/**
 * Tokens ranked by logit, most likely first, ties to the lowest id, encoded as one {@code long}
 * per token so that ranking is a primitive sort ({@link Arrays#sort(long[], int, int)}): no
 * comparator, no boxing, and a total, deterministic order.
 *
 * <p>Key layout: high 32 bits = the logit's bits mapped to a signed int that orders like the float,
 * then complemented (so larger logits give smaller keys); low 32 bits = the token id.
 */
final class RankedTokens {

    private RankedTokens() {
    }

    /** The key of {@code token} with {@code logit} (not NaN): ascending keys = descending logits. */
    static long key(float logit, int token) {
        // + 0f turns -0.0 into +0.0, so the two zeros tie (and fall back to the id) as they compare
        int bits = Float.floatToRawIntBits(logit + 0f);
        int ordered = bits ^ ((bits >> 31) & 0x7fffffff);
        return ((long) ~ordered << 32) | token;
    }

    /** The token id of a key. */
    static int token(long key) {
        return (int) key;
    }

    /**
     * Writes the {@code count} best tokens of {@code logits} into {@code out[0, count)}, best first.
     * O(n log count): a bounded max-heap whose root is the worst token kept so far; most tokens
     * lose against the root in one comparison.
     */
    static void selectTop(float[] logits, int count, long[] out) {
        for (int token = 0; token < count; token++) {
            out[token] = key(logits[token], token);
            siftUp(out, token);
        }
        for (int token = count; token < logits.length; token++) {
            long key = key(logits[token], token);
            if (key < out[0]) {
                out[0] = key;
                siftDown(out, count);
            }
        }
        Arrays.sort(out, 0, count);
    }

    private static void siftUp(long[] heap, int index) {
        long key = heap[index];
        while (index > 0) {
            int parent = (index - 1) >>> 1;
            if (heap[parent] >= key) {
                break;
            }
            heap[index] = heap[parent];
            index = parent;
        }
        heap[index] = key;
    }

    private static void siftDown(long[] heap, int size) {
        long key = heap[0];
        int index = 0;
        while (true) {
            int child = 2 * index + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && heap[child + 1] > heap[child]) {
                child++;
            }
            if (heap[child] <= key) {
                break;
            }
            heap[index] = heap[child];
            index = child;
        }
        heap[index] = key;
    }
}
