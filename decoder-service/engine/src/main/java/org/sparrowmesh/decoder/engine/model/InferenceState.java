package org.sparrowmesh.decoder.engine.model;

/**
 * Everything one sequence needs between forward steps: its KV cache, the next position, and the
 * scratch buffers of the forward pass (allocated once, so a step allocates nothing).
 */
public final class InferenceState {

    final KeyValueCache cache;
    final float[] x;      // residual stream (n_embd)
    final float[] xb;     // normed input / attention output (n_embd)
    final float[] xb2;    // projection output (n_embd)
    final float[] q;      // query (n_embd)
    final float[] k;      // key of this position (kv_dim)
    final float[] v;      // value of this position (kv_dim)
    final float[] hb;     // feed-forward gate (n_ff)
    final float[] hb2;    // feed-forward up (n_ff)
    final float[] attention; // scores of one head over the positions (capacity)
    final float[] logits; // (n_vocab)
    int position;

    public InferenceState(LlamaConfiguration config, int contextSize) {
        this.cache = new KeyValueCache(config, contextSize);
        int n = config.embeddingLength();
        this.x = new float[n];
        this.xb = new float[n];
        this.xb2 = new float[n];
        this.q = new float[n];
        this.k = new float[config.keyValueDimension()];
        this.v = new float[config.keyValueDimension()];
        this.hb = new float[config.feedForwardLength()];
        this.hb2 = new float[config.feedForwardLength()];
        this.attention = new float[contextSize];
        this.logits = new float[config.vocabularySize()];
    }

    /** The position the next token goes to (= tokens processed so far). */
    public int position() {
        return position;
    }

    /** How many positions the cache holds. */
    public int contextSize() {
        return cache.capacity();
    }

    /** Forget everything: the next token goes to position 0. */
    public void reset() {
        position = 0;
    }
}
