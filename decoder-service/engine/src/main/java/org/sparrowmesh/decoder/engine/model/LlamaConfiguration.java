package org.sparrowmesh.decoder.engine.model;

import org.sparrowmesh.decoder.engine.gguf.GGUFMetadata;

/**
 * The hyper-parameters of a llama-architecture model, as GGUF metadata describes them
 * ({@code llama.*} keys).
 *
 * @param embeddingLength   n_embd, width of the residual stream
 * @param layerCount        n_layer
 * @param headCount         n_head, query heads
 * @param keyValueHeadCount n_head_kv (grouped-query attention: each K/V head serves
 *                          headCount / keyValueHeadCount query heads)
 * @param feedForwardLength n_ff, hidden width of the SwiGLU feed-forward
 * @param vocabularySize    n_vocab, rows of the embedding and output matrices
 * @param contextLength     n_ctx_train, the longest context the model was trained for
 * @param rmsNormEpsilon    ε of RMSNorm
 * @param ropeFrequencyBase θ base of the rotary embeddings (10000 when the file has none)
 * @param ropeDimensionCount how many dimensions of each head are rotated (n_rot)
 * @param ropeFrequencyScale positions are multiplied by this (linear RoPE scaling; 1 = none)
 * @param ropeType          which dimension pairs rotate together
 */
public record LlamaConfiguration(
        int embeddingLength,
        int layerCount,
        int headCount,
        int keyValueHeadCount,
        int feedForwardLength,
        int vocabularySize,
        int contextLength,
        float rmsNormEpsilon,
        float ropeFrequencyBase,
        int ropeDimensionCount,
        float ropeFrequencyScale,
        RopeType ropeType) {

    public LlamaConfiguration {
        require(embeddingLength > 0, "embedding length must be positive, got " + embeddingLength);
        require(layerCount > 0, "layer count must be positive, got " + layerCount);
        require(headCount > 0 && embeddingLength % headCount == 0,
                "head count " + headCount + " must divide the embedding length " + embeddingLength);
        require(keyValueHeadCount > 0 && headCount % keyValueHeadCount == 0,
                "key/value head count " + keyValueHeadCount + " must divide the head count " + headCount);
        require(feedForwardLength > 0, "feed-forward length must be positive, got " + feedForwardLength);
        require(vocabularySize > 0, "vocabulary size must be positive, got " + vocabularySize);
        require(contextLength > 0, "context length must be positive, got " + contextLength);
        int headSize = embeddingLength / headCount;
        require(ropeDimensionCount > 0 && ropeDimensionCount <= headSize && ropeDimensionCount % 2 == 0,
                "rope dimension count " + ropeDimensionCount + " must be even and at most the head size " + headSize);
        require(ropeFrequencyBase > 0, "rope frequency base must be positive, got " + ropeFrequencyBase);
    }

    /** Width of one attention head. */
    public int headSize() {
        return embeddingLength / headCount;
    }

    /** Width of the K (and V) vectors of one position: all K/V heads together. */
    public int keyValueDimension() {
        return keyValueHeadCount * headSize();
    }

    /**
     * Reads {@code <arch>.*} keys; refuses an architecture other than llama, naming it.
     *
     * @param vocabularySize rows of the token embedding (GGUF's own count, which the metadata may omit)
     */
    public static LlamaConfiguration fromMetadata(GGUFMetadata metadata, int vocabularySize) {
        String architecture = metadata.getString("general.architecture");
        if (!architecture.equals("llama")) {
            throw new UnsupportedOperationException("model architecture '" + architecture
                    + "' is not supported (supported: llama)");
        }
        String p = architecture + ".";
        int embedding = metadata.getInt(p + "embedding_length");
        int heads = metadata.getInt(p + "attention.head_count");
        int headSize = embedding / heads;
        float scale = 1f;
        if (metadata.findString(p + "rope.scaling.type").filter("linear"::equals).isPresent()) {
            scale = 1f / metadata.getFloat(p + "rope.scaling.factor");
        }
        return new LlamaConfiguration(
                embedding,
                metadata.getInt(p + "block_count"),
                heads,
                metadata.findInt(p + "attention.head_count_kv").orElse(heads),
                metadata.getInt(p + "feed_forward_length"),
                vocabularySize,
                metadata.getInt(p + "context_length"),
                metadata.getFloat(p + "attention.layer_norm_rms_epsilon"),
                metadata.findFloat(p + "rope.freq_base").orElse(10_000f),
                metadata.findInt(p + "rope.dimension_count").orElse(headSize),
                scale,
                RopeType.NORMAL);
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
