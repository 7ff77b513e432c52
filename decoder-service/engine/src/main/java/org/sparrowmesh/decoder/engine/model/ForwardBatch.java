package org.sparrowmesh.decoder.engine.model;

/**
 * The tokens of one forward step: any mix of sequences, each with one or more consecutive
 * tokens (a decode step of n samples is n entries of n states; a prefill chunk is many entries of
 * one state). Every weight row is then read once per step for all entries.
 *
 * <p>Reusable: {@link #clear()} and fill again; adding allocates nothing.
 */
public final class ForwardBatch {

    final InferenceState[] states;
    final int[] tokens;
    final int[] positions;
    final boolean[] wantsLogits;
    int size;

    public ForwardBatch(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("batch capacity must be at least 1, got " + capacity);
        }
        states = new InferenceState[capacity];
        tokens = new int[capacity];
        positions = new int[capacity];
        wantsLogits = new boolean[capacity];
    }

    public int capacity() {
        return states.length;
    }

    public int size() {
        return size;
    }

    public boolean isFull() {
        return size == states.length;
    }

    /** The sequence of entry {@code i}. */
    public InferenceState state(int i) {
        return states[i];
    }

    /** The token entry {@code i} feeds. */
    public int token(int i) {
        return tokens[i];
    }

    /** The position entry {@code i}'s token goes to. */
    public int position(int i) {
        return positions[i];
    }

    /** Whether entry {@code i}'s logits are needed. */
    public boolean wantsLogits(int i) {
        return wantsLogits[i];
    }

    public void clear() {
        for (int i = 0; i < size; i++) {
            states[i] = null;
        }
        size = 0;
    }

    /**
     * Appends {@code token} at the state's next position (the state's position advances now).
     *
     * @param wantsLogits whether this entry's logits are needed (the last prompt token, every
     *                    decode token); the classifier is skipped for the others
     * @throws IllegalArgumentException when the token is outside the vocabulary
     * @throws IllegalStateException    when the batch or the state's context is full
     */
    public void add(InferenceState state, int token, boolean wantsLogits) {
        if (size == states.length) {
            throw new IllegalStateException("the batch is full: " + states.length + " entries");
        }
        if (token < 0 || token >= state.logits.length) {
            throw new IllegalArgumentException("token id " + token + " is outside the vocabulary [0, "
                    + state.logits.length + ")");
        }
        if (state.position >= state.cache.capacity()) {
            throw new IllegalStateException("the context is full: " + state.cache.capacity() + " positions");
        }
        states[size] = state;
        tokens[size] = token;
        positions[size] = state.position++;
        this.wantsLogits[size] = wantsLogits;
        size++;
    }
}
