package org.sparrowmesh.decoder.engine.model;

/**
 * One sequence between forward steps: its KV cache, the position its next token goes to, and
 * the logits of its last step that asked for them.
 */
public final class InferenceState {

    final KeyValueCache cache;
    final float[] logits; // (n_vocab)
    int position;

    public InferenceState(LlamaConfiguration config, int contextSize) {
        this(config, contextSize, KeyValuePrecision.F32);
    }

    public InferenceState(LlamaConfiguration config, int contextSize, KeyValuePrecision precision) {
        this(new KeyValueCache(config, contextSize, precision), new float[config.vocabularySize()], 0);
    }

    private InferenceState(KeyValueCache cache, float[] logits, int position) {
        this.cache = cache;
        this.logits = logits;
        this.position = position;
    }

    /**
     * A new sequence that continues this one: it shares the KV cache of every position so far
     * (copy-on-write) and starts with a copy of the last logits. The way n samples of one prompt
     * cost one prefill.
     */
    public InferenceState fork() {
        return new InferenceState(cache.fork(position), logits.clone(), position);
    }

    /** The position the next token goes to (= tokens processed so far). */
    public int position() {
        return position;
    }

    /** How many positions the cache holds. */
    public int contextSize() {
        return cache.capacity();
    }

    /** The logits of the last step that asked for them (this state's own buffer). */
    public float[] logits() {
        return logits;
    }

    /** The KV cache (for memory accounting). */
    public KeyValueCache cache() {
        return cache;
    }

    /** Forget everything: the next token goes to position 0 (cache blocks are overwritten). */
    public void reset() {
        position = 0;
    }
}
