package org.sparrowmesh.encoder.engine;

import java.util.Objects;

/**
 * Everything that defines a sentence-embedding model, checked at construction.
 *
 * @param name              reported to clients, e.g. {@code sentence-transformers/all-MiniLM-L6-v2}
 * @param files             the ONNX graph and {@code tokenizer.json}
 * @param maxSequenceLength most tokens per text, special tokens included; longer texts are cut
 * @param pooling           token vectors → sentence vector
 * @param intraOpThreads    ONNX Runtime threads inside one operator; 0 lets ONNX Runtime choose
 */
public record ModelSpec(String name, ModelFiles files, int maxSequenceLength, Pooling pooling, int intraOpThreads) {

    /** BERT's position table holds 512 positions; no BERT-family encoder reads more. */
    public static final int MAX_POSITIONS = 512;

    public ModelSpec {
        Objects.requireNonNull(files, "model files");
        Objects.requireNonNull(pooling, "pooling");
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("the model name must not be blank");
        }
        if (maxSequenceLength < 3 || maxSequenceLength > MAX_POSITIONS) {
            throw new IllegalArgumentException("max-sequence-length must be within [3, " + MAX_POSITIONS
                    + "], got " + maxSequenceLength);
        }
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("intra-op-threads must be >= 0 (0 = ONNX Runtime decides), got "
                    + intraOpThreads);
        }
    }

    /**
     * all-MiniLM-L6-v2 from the LangChain4j artifact: mean pooling, 256 tokens (the
     * {@code max_seq_length} sentence-transformers uses for this model).
     */
    public static ModelSpec allMiniLmL6V2() {
        return new ModelSpec("sentence-transformers/all-MiniLM-L6-v2", ModelFiles.bundledMiniLm(), 256, Pooling.MEAN, 0);
    }
}
