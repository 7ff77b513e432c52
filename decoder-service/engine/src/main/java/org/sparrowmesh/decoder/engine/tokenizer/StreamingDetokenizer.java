package org.sparrowmesh.decoder.engine.tokenizer;

import java.util.Objects;

/**
 * Turns token ids into text one token at a time without ever emitting a broken character: bytes
 * of a character split across tokens (byte-fallback tokens, byte-level BPE pieces) are held until
 * its last byte arrives and then come out whole, once; bytes that cannot form a character come out
 * as U+FFFD as soon as that is certain, and {@link #flush()} turns a partial character left at the
 * end into U+FFFD.
 *
 * <p>Pieces are those of {@link Tokenizer#tokenToPiece(int)}: control tokens give nothing. Two
 * ways to start:
 * <ul>
 *   <li>{@link #of(Tokenizer)} for a whole sequence: the space a SentencePiece vocabulary put in
 *       front of the first token is dropped, as {@link Tokenizer#decode(int[])} drops it, so for
 *       valid text the concatenated output equals {@code decode} of all ids — except that the
 *       clean-up of spaces before punctuation some BPE vocabularies apply on decoding needs the
 *       whole text, and is not applied;</li>
 *   <li>{@link #continuing(Tokenizer)} for tokens generated after a prompt: every piece as it
 *       is, which is exactly the text llama.cpp prints while generating.</li>
 * </ul>
 *
 * <p>Not thread-safe: one per sequence.
 */
public final class StreamingDetokenizer {

    private final Tokenizer tokenizer;
    private final Utf8Decoder decoder = new Utf8Decoder();
    private boolean dropLeadingSpace;

    private StreamingDetokenizer(Tokenizer tokenizer, boolean dropLeadingSpace) {
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        this.dropLeadingSpace = dropLeadingSpace && tokenizer.vocabulary().addSpacePrefix();
    }

    /** For a sequence from its first token, with {@link Tokenizer#decode(int[])}'s leading-space rule. */
    public static StreamingDetokenizer of(Tokenizer tokenizer) {
        return new StreamingDetokenizer(tokenizer, true);
    }

    /** For tokens that continue a sequence: every piece kept as it is. */
    public static StreamingDetokenizer continuing(Tokenizer tokenizer) {
        return new StreamingDetokenizer(tokenizer, false);
    }

    /**
     * Feeds one token; returns the text it completes, possibly empty (a character still waiting
     * for bytes, or a control token).
     *
     * @throws IllegalArgumentException when the id is outside the vocabulary
     */
    public String accept(int id) {
        byte[] piece = tokenizer.tokenToPiece(id);
        int skip = dropLeadingSpace && piece.length > 0 && piece[0] == ' ' ? 1 : 0;
        dropLeadingSpace = false;
        StringBuilder out = new StringBuilder(piece.length);
        for (int i = skip; i < piece.length; i++) {
            decoder.accept(piece[i], out);
        }
        return out.toString();
    }

    /** Feeds several tokens; returns the text they complete. */
    public String acceptAll(int... ids) {
        StringBuilder out = new StringBuilder();
        for (int id : ids) {
            out.append(accept(id));
        }
        return out.toString();
    }

    /** True when the bytes of an unfinished character are waiting. */
    public boolean hasPendingBytes() {
        return decoder.hasPending();
    }

    /** Ends the sequence: an unfinished character comes out as U+FFFD, else nothing. */
    public String flush() {
        StringBuilder out = new StringBuilder(1);
        decoder.flush(out);
        return out.toString();
    }
}
