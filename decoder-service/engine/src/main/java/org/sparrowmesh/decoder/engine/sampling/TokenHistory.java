package org.sparrowmesh.decoder.engine.sampling;

import java.util.Arrays;

/**
 * The tokens of one sequence so far, prompt included, oldest first: what the penalties of a
 * {@link Sampler} look at. A growable int buffer (the whole history is kept, since a repetition
 * window of -1 looks at all of it); appending is amortised O(1) and does not allocate once the
 * buffer has grown to the sequence's length.
 *
 * <p>The decode loop appends each token it keeps: {@link Sampler#sample} does not. Not thread-safe;
 * one per sequence.
 */
public final class TokenHistory {

    private static final int DEFAULT_CAPACITY = 256;

    private int[] tokens;
    private int size;

    /** An empty history. */
    public TokenHistory() {
        this(DEFAULT_CAPACITY);
    }

    /** An empty history with room for {@code initialCapacity} tokens before it grows. */
    public TokenHistory(int initialCapacity) {
        if (initialCapacity < 0) {
            throw new IllegalArgumentException("initialCapacity must be >= 0, got " + initialCapacity);
        }
        tokens = new int[initialCapacity];
    }

    /** A history holding {@code tokens}, e.g. the prompt. */
    public static TokenHistory of(int... tokens) {
        TokenHistory history = new TokenHistory(Math.max(DEFAULT_CAPACITY, tokens.length));
        history.addAll(tokens);
        return history;
    }

    /** Appends one token id (>= 0). */
    public void add(int token) {
        if (token < 0) {
            throw new IllegalArgumentException("token id must be >= 0, got " + token);
        }
        if (size == tokens.length) {
            grow(size + 1);
        }
        tokens[size++] = token;
    }

    /** Appends token ids (each >= 0), in order. */
    public void addAll(int... tokens) {
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] < 0) {
                throw new IllegalArgumentException("token id must be >= 0, got " + tokens[i] + " at index " + i);
            }
        }
        if (size + tokens.length > this.tokens.length) {
            grow(size + tokens.length);
        }
        System.arraycopy(tokens, 0, this.tokens, size, tokens.length);
        size += tokens.length;
    }

    /** Number of tokens. */
    public int size() {
        return size;
    }

    /** The token at {@code index}, 0 the oldest. */
    public int get(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("index " + index + " outside a history of " + size + " tokens");
        }
        return tokens[index];
    }

    /** Drops the tokens from {@code newSize} on, e.g. to rewind a sequence. */
    public void truncate(int newSize) {
        if (newSize < 0 || newSize > size) {
            throw new IllegalArgumentException("newSize must be within [0, " + size + "], got " + newSize);
        }
        size = newSize;
    }

    /** An independent copy, e.g. of a prompt shared by several samples. */
    public TokenHistory copy() {
        TokenHistory copy = new TokenHistory(Math.max(DEFAULT_CAPACITY, size));
        System.arraycopy(tokens, 0, copy.tokens, 0, size);
        copy.size = size;
        return copy;
    }

    /** The tokens, oldest first, in a new array. */
    public int[] toArray() {
        return Arrays.copyOf(tokens, size);
    }

    /** The backing buffer: valid in {@code [0, size())}; for the sampler's loops, never exposed. */
    int[] buffer() {
        return tokens;
    }

    private void grow(int minimumCapacity) {
        // doubling keeps appends amortised O(1)
        int capacity = Math.max(minimumCapacity, Math.max(16, tokens.length * 2));
        tokens = Arrays.copyOf(tokens, capacity);
    }

    @Override
    public String toString() {
        return "TokenHistory[size=" + size + "]";
    }
}
