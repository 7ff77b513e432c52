package org.sparrowmesh.decoder.engine.model;

import static org.sparrowmesh.decoder.engine.kernels.ScalarKernels.matmul;
import static org.sparrowmesh.decoder.engine.kernels.ScalarKernels.rmsNorm;
import static org.sparrowmesh.decoder.engine.kernels.ScalarKernels.silu;
import static org.sparrowmesh.decoder.engine.kernels.ScalarKernels.softmax;

import org.sparrowmesh.decoder.engine.gguf.GGUFFile;

/**
 * A llama-architecture transformer (Llama 2/3, TinyLlama, SmolLM, Mistral-style) over weights
 * mapped from a GGUF file: token embedding, per layer RMSNorm → grouped-query attention with
 * rotary embeddings → RMSNorm → SwiGLU feed-forward, final RMSNorm and output projection.
 *
 * <p>Stateless and thread-safe: everything a sequence carries lives in its {@link InferenceState}.
 */
public record Llama(LlamaConfiguration config, LlamaWeights weights) {

    /** Reads the configuration and views the weights; refuses unsupported architectures and types. */
    public static Llama load(GGUFFile gguf) {
        gguf.requireSupportedTypes();
        long vocabulary = gguf.tensor("token_embd.weight").dimensions()[1];
        LlamaConfiguration config = LlamaConfiguration.fromMetadata(gguf.metadata(), Math.toIntExact(vocabulary));
        return new Llama(config, LlamaWeights.load(gguf, config));
    }

    /** A fresh state for one sequence of at most {@code contextSize} tokens. */
    public InferenceState newState(int contextSize) {
        return new InferenceState(config, contextSize);
    }

    /**
     * Feeds the prompt tokens at the state's next positions and returns the logits after the last
     * one (the distribution of the first generated token). The returned array is the state's own
     * buffer: copy it to keep it past the next step.
     */
    public float[] prefill(InferenceState state, int[] tokens) {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("the prompt has no tokens");
        }
        for (int i = 0; i < tokens.length; i++) {
            step(state, tokens[i], i == tokens.length - 1);
        }
        return state.logits;
    }

    /** Feeds one token at the state's next position and returns the logits (the state's buffer). */
    public float[] forward(InferenceState state, int token) {
        step(state, token, true);
        return state.logits;
    }

    private void step(InferenceState s, int token, boolean computeLogits) {
        LlamaConfiguration c = config;
        LlamaWeights w = weights;
        if (token < 0 || token >= c.vocabularySize()) {
            throw new IllegalArgumentException("token id " + token + " is outside the vocabulary [0, "
                    + c.vocabularySize() + ")");
        }
        int pos = s.position;
        if (pos >= s.cache.capacity()) {
            throw new IllegalStateException("the context is full: " + s.cache.capacity() + " positions");
        }
        int dim = c.embeddingLength();
        int kvDim = c.keyValueDimension();
        int headSize = c.headSize();
        int queriesPerKeyValueHead = c.headCount() / c.keyValueHeadCount();
        float attentionScale = (float) (1.0 / Math.sqrt(headSize));

        // token embedding
        w.tokenEmbedding().dequantize((long) token * dim, s.x, 0, dim);

        for (int l = 0; l < c.layerCount(); l++) {
            // attention rmsnorm
            rmsNorm(s.xb, s.x, w.attentionNorm()[l], dim, c.rmsNormEpsilon());

            // q, k, v projections: W (d,n) @ x (n,) — most time is spent in these matmuls
            matmul(s.q, w.wq()[l], s.xb, dim, dim);
            matmul(s.k, w.wk()[l], s.xb, kvDim, dim);
            matmul(s.v, w.wv()[l], s.xb, kvDim, dim);

            // rotary embeddings on every query and key head
            rope(s.q, c.headCount(), pos);
            rope(s.k, c.keyValueHeadCount(), pos);

            // this position's key and value into the cache
            float[] keys = s.cache.keys(l);
            float[] values = s.cache.values(l);
            System.arraycopy(s.k, 0, keys, pos * kvDim, kvDim);
            System.arraycopy(s.v, 0, values, pos * kvDim, kvDim);

            // causal attention per head; query head h reads key/value head h / queriesPerKeyValueHead
            for (int h = 0; h < c.headCount(); h++) {
                int qOffset = h * headSize;
                int kvOffset = (h / queriesPerKeyValueHead) * headSize;
                for (int t = 0; t <= pos; t++) {
                    int kOffset = t * kvDim + kvOffset;
                    float score = 0f;
                    for (int i = 0; i < headSize; i++) {
                        score += s.q[qOffset + i] * keys[kOffset + i];
                    }
                    s.attention[t] = score * attentionScale;
                }
                softmax(s.attention, 0, pos + 1);
                for (int i = 0; i < headSize; i++) {
                    s.xb[qOffset + i] = 0f;
                }
                for (int t = 0; t <= pos; t++) {
                    float a = s.attention[t];
                    int vOffset = t * kvDim + kvOffset;
                    for (int i = 0; i < headSize; i++) {
                        s.xb[qOffset + i] += a * values[vOffset + i];
                    }
                }
            }

            // attention output projection and residual
            matmul(s.xb2, w.wo()[l], s.xb, dim, dim);
            for (int i = 0; i < dim; i++) {
                s.x[i] += s.xb2[i];
            }

            // feed-forward rmsnorm
            rmsNorm(s.xb, s.x, w.ffnNorm()[l], dim, c.rmsNormEpsilon());

            // SwiGLU: down(silu(gate(x)) * up(x))
            int ff = c.feedForwardLength();
            matmul(s.hb, w.ffnGate()[l], s.xb, ff, dim);
            matmul(s.hb2, w.ffnUp()[l], s.xb, ff, dim);
            for (int i = 0; i < ff; i++) {
                s.hb[i] = silu(s.hb[i]) * s.hb2[i];
            }
            matmul(s.xb, w.ffnDown()[l], s.hb, dim, ff);
            for (int i = 0; i < dim; i++) {
                s.x[i] += s.xb[i];
            }
        }
        s.position = pos + 1;
        if (!computeLogits) {
            return;
        }
        // final rmsnorm and classifier into logits
        rmsNorm(s.xb, s.x, w.outputNorm(), dim, c.rmsNormEpsilon());
        matmul(s.logits, w.output(), s.xb, c.vocabularySize(), dim);
    }

    /**
     * Rotates the first n_rot dimensions of each head by position-dependent angles, as ggml's rope
     * (NORM mode: adjacent pairs): θ_i = pos · scale · base^(-2i/n_rot) / factor_i, with the angle
     * advanced by repeated multiplication in float like ggml, so results agree to the last bits.
     */
    private void rope(float[] vector, int heads, int pos) {
        LlamaConfiguration c = config;
        int headSize = c.headSize();
        int rotated = c.ropeDimensionCount();
        float thetaScale = (float) Math.pow(c.ropeFrequencyBase(), -2.0f / rotated);
        for (int h = 0; h < heads; h++) {
            int offset = h * headSize;
            float theta = pos;
            for (int i = 0; i < rotated; i += 2) {
                float factor = weights.ropeFrequencyFactors() == null ? 1f : weights.ropeFrequencyFactors().getFloat(i / 2);
                float angle = c.ropeFrequencyScale() * (theta / factor);
                float cos = (float) Math.cos(angle);
                float sin = (float) Math.sin(angle);
                int a = offset + (c.ropeType() == RopeType.NORMAL ? i : i / 2);
                int b = c.ropeType() == RopeType.NORMAL ? a + 1 : a + rotated / 2;
                float x0 = vector[a];
                float x1 = vector[b];
                vector[a] = x0 * cos - x1 * sin;
                vector[b] = x0 * sin + x1 * cos;
                theta *= thetaScale;
            }
        }
    }
}
