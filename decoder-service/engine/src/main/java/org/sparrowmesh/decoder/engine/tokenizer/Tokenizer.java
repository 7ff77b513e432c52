package org.sparrowmesh.decoder.engine.tokenizer;

import org.sparrowmesh.decoder.engine.gguf.GGUFMetadata;

/**
 * Text to token ids and back, exactly as llama.cpp's {@code llama_tokenize},
 * {@code llama_token_to_piece} and {@code llama_detokenize} do for the same GGUF vocabulary.
 * Implementations are immutable and thread-safe.
 *
 * <pre>{@code
 * Tokenizer tokenizer = Tokenizer.fromGGUF(gguf.metadata());
 * int[] prompt = tokenizer.encode("Once upon a time", true, false);   // [1, 403, 407, 261, 378]
 * }</pre>
 */
public interface Tokenizer {

    /**
     * The tokenizer {@code tokenizer.ggml.model} names: {@code llama} (SentencePiece),
     * {@code gpt2} (byte-level BPE) or {@code bert} (WordPiece).
     *
     * @throws IllegalArgumentException naming the model or pre-tokenizer when it is not supported,
     *                                  or the metadata key that is missing or malformed
     */
    static Tokenizer fromGGUF(GGUFMetadata metadata) {
        return of(Vocabulary.fromGGUF(metadata));
    }

    /** The tokenizer for a loaded vocabulary. */
    static Tokenizer of(Vocabulary vocabulary) {
        return switch (vocabulary.model()) {
            case SENTENCE_PIECE -> new SentencePieceTokenizer(vocabulary);
            case BYTE_PAIR -> new BytePairTokenizer(vocabulary);
            case WORD_PIECE -> new WordPieceTokenizer(vocabulary);
        };
    }

    Vocabulary vocabulary();

    /**
     * Tokenizes {@code text} ({@code llama_tokenize}).
     *
     * @param addSpecial   add BOS and/or EOS as the vocabulary's flags ask (for WordPiece: CLS and SEP)
     * @param parseSpecial recognise the text of control tokens such as {@code <s>} as those tokens;
     *                     when false it is tokenized as plain text (user-defined tokens are always recognised)
     */
    int[] encode(String text, boolean addSpecial, boolean parseSpecial);

    /** The bytes a token stands for ({@code llama_token_to_piece}, special = false): control tokens give none. */
    default byte[] tokenToPiece(int id) {
        return tokenToPiece(id, false);
    }

    /**
     * The bytes a token stands for: SentencePiece {@code ▁} becomes a space and {@code <0xNN>}
     * that byte; byte-level BPE entries map back to their bytes. A byte token gives a single byte,
     * which may be part of a character.
     *
     * @param renderSpecial give control and unknown tokens their text instead of nothing
     */
    byte[] tokenToPiece(int id, boolean renderSpecial);

    /**
     * The text of a token sequence as {@code llama_detokenize(remove_special = false,
     * unparse_special = false)} gives it: control tokens render as nothing, the space a
     * SentencePiece vocabulary adds at the start is dropped from the first token, BPE vocabularies
     * clean up spaces before punctuation; bytes that are not valid UTF-8 become U+FFFD.
     */
    default String decode(int[] ids) {
        return decode(ids, false, false);
    }

    /**
     * {@code llama_detokenize}.
     *
     * @param removeSpecial  drop a leading BOS and a trailing EOS when the vocabulary adds them
     * @param unparseSpecial render control tokens as their text
     */
    String decode(int[] ids, boolean removeSpecial, boolean unparseSpecial);

    /** Number of tokens, the {@code n_vocab} of the model. */
    default int vocabularySize() {
        return vocabulary().size();
    }

    /** The vocabulary entry of a token, e.g. {@code ▁He} or {@code <0xC3>}. */
    default String tokenText(int id) {
        return vocabulary().text(id);
    }

    /** Beginning of sequence, or {@link Vocabulary#NO_TOKEN}. */
    default int bosId() {
        return vocabulary().bosId();
    }

    /** End of sequence, or {@link Vocabulary#NO_TOKEN}. */
    default int eosId() {
        return vocabulary().eosId();
    }

    /** End of turn, or {@link Vocabulary#NO_TOKEN}. */
    default int eotId() {
        return vocabulary().eotId();
    }

    /** Whether generating {@code id} ends generation (EOS, EOT, EOM, …). */
    default boolean isEndOfGeneration(int id) {
        return vocabulary().isEndOfGeneration(id);
    }
}
