package org.sparrowmesh.decoder.engine.gguf;

/**
 * The hyper-parameters of a llama-architecture model, as GGUF stores them under {@code llama.*}
 * (the vocabulary size comes from the tokenizer).
 *
 * @param embeddingLength   n_embd, the width of the residual stream
 * @param blockCount        n_layer
 * @param headCount         query heads; must divide {@code embeddingLength}
 * @param headCountKv       key/value heads (grouped-query attention); must divide {@code headCount}
 * @param feedForwardLength n_ff, the hidden width of the SwiGLU feed-forward
 * @param contextLength     n_ctx_train
 * @param rmsNormEpsilon    the RMSNorm epsilon
 * @param ropeFreqBase      the rotary embedding base frequency
 */
public record ModelShape(int embeddingLength, int blockCount, int headCount, int headCountKv, int feedForwardLength,
        int contextLength, float rmsNormEpsilon, float ropeFreqBase) {

    public ModelShape {
        require(embeddingLength > 0, "embedding length " + embeddingLength + " must be positive");
        require(blockCount > 0, "block count " + blockCount + " must be positive");
        require(headCount > 0 && embeddingLength % headCount == 0,
                "head count " + headCount + " must be positive and divide the embedding length " + embeddingLength);
        require(headCountKv > 0 && headCount % headCountKv == 0,
                "kv head count " + headCountKv + " must be positive and divide the head count " + headCount);
        require(feedForwardLength > 0, "feed-forward length " + feedForwardLength + " must be positive");
        require(contextLength > 0, "context length " + contextLength + " must be positive");
        require(rmsNormEpsilon > 0, "RMSNorm epsilon " + rmsNormEpsilon + " must be positive");
        require(ropeFreqBase > 0, "rope frequency base " + ropeFreqBase + " must be positive");
    }

    /** A shape with llama's usual context 2048, epsilon 1e-5 and rope base 10000. */
    public static ModelShape llama(int embeddingLength, int blockCount, int headCount, int headCountKv,
            int feedForwardLength) {
        return new ModelShape(embeddingLength, blockCount, headCount, headCountKv, feedForwardLength, 2048, 1e-5f,
                10000f);
    }

    /** TinyLlama-1.1B: 2048 wide, 22 layers, 32 heads, 4 kv heads, n_ff 5632 — the benchmark shape. */
    public static ModelShape tinyLlama1B() {
        return llama(2048, 22, 32, 4, 5632);
    }

    /** The shape of a llama-architecture file, e.g. to make a random model of the same shape. */
    public static ModelShape of(GGUFMetadata metadata) {
        String arch = metadata.getString("general.architecture");
        return new ModelShape(
                metadata.getInt(arch + ".embedding_length"),
                metadata.getInt(arch + ".block_count"),
                metadata.getInt(arch + ".attention.head_count"),
                metadata.findInt(arch + ".attention.head_count_kv").orElse(metadata.getInt(arch + ".attention.head_count")),
                metadata.getInt(arch + ".feed_forward_length"),
                metadata.getInt(arch + ".context_length"),
                metadata.findFloat(arch + ".attention.layer_norm_rms_epsilon").orElse(1e-5f),
                metadata.findFloat(arch + ".rope.freq_base").orElse(10000f));
    }

    /** Values per head. */
    public int headSize() {
        return embeddingLength / headCount;
    }

    /** Width of the key and value projections: kv heads × head size. */
    public int kvLength() {
        return headCountKv * headSize();
    }

    /** Weights of a model of this shape over a vocabulary, with or without its own output matrix. */
    public long parameterCount(int vocabularySize, boolean tiedOutput) {
        long e = embeddingLength;
        long perBlock = 2 * e + e * e * 2 + 2 * e * kvLength() + 3 * e * feedForwardLength;
        return e * vocabularySize * (tiedOutput ? 1 : 2) + e + blockCount * perBlock;
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
