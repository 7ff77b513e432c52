package org.sparrowmesh.decoder.engine.tokenizer;

import java.util.Locale;

/** The tokenizer algorithms, by their {@code tokenizer.ggml.model} name. */
public enum TokenizerModel {
    /** {@code llama}: SentencePiece-style, merges driven by the token scores, byte fallback. */
    SENTENCE_PIECE("llama"),
    /** {@code gpt2}: byte-level BPE with a pre-tokenizer regex and merge ranks. */
    BYTE_PAIR("gpt2"),
    /** {@code bert}: WordPiece, greedy longest match. */
    WORD_PIECE("bert");

    private final String ggmlName;

    TokenizerModel(String ggmlName) {
        this.ggmlName = ggmlName;
    }

    /** The value of {@code tokenizer.ggml.model}. */
    public String ggmlName() {
        return ggmlName;
    }

    /**
     * The model named by {@code tokenizer.ggml.model}.
     *
     * @throws IllegalArgumentException naming the model when it is not supported
     */
    public static TokenizerModel fromGgmlName(String name) {
        for (TokenizerModel model : values()) {
            if (model.ggmlName.equals(name)) {
                return model;
            }
        }
        String known = switch (name) {
            case "t5", "rwkv" -> " (llama.cpp knows it, this engine does not support it yet)";
            case "no_vocab", "none" -> " (the model has no vocabulary)";
            default -> "";
        };
        throw new IllegalArgumentException("unknown tokenizer model '" + name + "' in tokenizer.ggml.model" + known
                + "; supported: llama, gpt2, bert");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT) + " (" + ggmlName + ")";
    }
}
