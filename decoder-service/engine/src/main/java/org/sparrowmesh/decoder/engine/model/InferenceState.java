package org.sparrowmesh.decoder.engine.model;

/**
 * One sequence between forward steps: its KV cache, the position its next token goes to, and
 * the logits of its last step that asked for them.
 *
 * <p>On the CPU the logits are all of them. A device hands back only each entry's best tokens
 * (the rest of the logits stay on it): the others are then -Infinity here and
 * {@link #logSumExp()} carries the normaliser of the whole distribution, so log-probabilities
 * stay those of the model.
 */
public final class InferenceState {

    final SequenceCache cache;
    final float[] logits; // (n_vocab)
    double logSumExp = Double.NaN;
    int position;

    public InferenceState(LlamaConfiguration config, int contextSize) {
        this(config, contextSize, KeyValuePrecision.F32);
    }

    public InferenceState(LlamaConfiguration config, int contextSize, KeyValuePrecision precision) {
        this(new KeyValueCache(config, contextSize, precision), config.vocabularySize());
    }

    /** A new, empty sequence whose keys and values live in {@code cache} (a device's slot). */
    public InferenceState(SequenceCache cache, int vocabularySize) {
        this(cache, new float[vocabularySize], 0);
    }

    private InferenceState(SequenceCache cache, float[] logits, int position) {
        this.cache = cache;
        this.logits = logits;
        this.position = position;
    }

    /**
     * A new sequence that continues this one: it starts with the KV cache of every position so
     * far (shared copy-on-write on the host, copied on a device) and a copy of the last logits.
     * The way n samples of one prompt cost one prefill.
     */
    public InferenceState fork() {
        InferenceState fork = new InferenceState(cache.fork(position), logits.clone(), position);
        fork.logSumExp = logSumExp;
        return fork;
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

    /**
     * log Σ exp(logit) over the whole vocabulary when {@link #logits()} holds only the best tokens
     * (a device's step); NaN when the logits are complete.
     */
    public double logSumExp() {
        return logSumExp;
    }

    /** Records the normaliser of the whole distribution, for a pass that fills only the best logits. */
    public void logSumExp(double value) {
        logSumExp = value;
    }

    /** The KV cache (for memory accounting and reserving). */
    public SequenceCache cache() {
        return cache;
    }

    /** This sequence's host cache, for the CPU forward pass; a clear error for a device's sequence. */
    KeyValueCache hostCache() {
        if (cache instanceof KeyValueCache host) {
            return host;
        }
        throw new IllegalStateException("this sequence's KV cache is on a device (" + cache.getClass().getSimpleName()
                + "): it runs only on that device's forward pass");
    }

    /** Hands the cache's memory back (a device slot); the state must not be used afterwards. */
    public void release() {
        cache.release();
    }

    /** Forget everything: the next token goes to position 0 (cache blocks are overwritten). */
    public void reset() {
        position = 0;
    }
}
