package org.sparrowmesh.decoder.engine.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import org.sparrowmesh.decoder.engine.tokenizer.SpecialTokenSplitter.Fragment;

/**
 * What the tokenizers share: special-token splitting, the per-token pieces, and
 * {@code llama_detokenize}. Subclasses tokenize the text fragments.
 */
abstract sealed class VocabularyTokenizer implements Tokenizer
        permits SentencePieceTokenizer, BytePairTokenizer, WordPieceTokenizer {

    private static final byte[] EMPTY = new byte[0];

    protected final Vocabulary vocabulary;

    /** {@code id} of a BOS/EOS/… token the vocabulary says to add; refuses a vocabulary that asks for one it lacks. */
    protected final int requireSpecial(int id, String name) {
        if (id == Vocabulary.NO_TOKEN) {
            throw new IllegalStateException("the vocabulary asks for " + name + " but has no " + name + " token");
        }
        return id;
    }
    private final byte[][] pieces; // every token as llama.cpp caches it (special = true)

    VocabularyTokenizer(Vocabulary vocabulary) {
        this.vocabulary = Objects.requireNonNull(vocabulary, "vocabulary");
        this.pieces = new byte[vocabulary.size()][];
        boolean byteLevel = vocabulary.model() == TokenizerModel.BYTE_PAIR;
        for (int id = 0; id < pieces.length; id++) {
            pieces[id] = byteLevel ? bytePairPiece(vocabulary, id) : sentencePiecePiece(vocabulary, id);
        }
    }

    /** Tokenizes the fragments left by special-token splitting, adding the special tokens the model wants. */
    abstract void encode(List<Fragment> fragments, boolean addSpecial, IntList out);

    @Override
    public final Vocabulary vocabulary() {
        return vocabulary;
    }

    @Override
    public final int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        Objects.requireNonNull(text, "text");
        List<Fragment> fragments = SpecialTokenSplitter.split(vocabulary, wellFormed(text), parseSpecial);
        IntList out = new IntList(text.length() / 2 + 2);
        encode(fragments, addSpecial, out);
        return out.toArray();
    }

    @Override
    public final byte[] tokenToPiece(int id, boolean renderSpecial) {
        TokenType type = vocabulary.type(id); // checks the range
        if (!renderSpecial && (type == TokenType.CONTROL || type == TokenType.UNKNOWN)) {
            return EMPTY;
        }
        return pieces[id].clone();
    }

    @Override
    public final String decode(int[] ids, boolean removeSpecial, boolean unparseSpecial) {
        int from = 0;
        int to = ids.length;
        boolean removeSpace = vocabulary.addSpacePrefix();
        if (removeSpecial && vocabulary.addBos() && to > 0 && ids[0] == vocabulary.bosId()) {
            removeSpace = false;
            from++;
        }
        if (removeSpecial && vocabulary.addEos() && to > from && ids[to - 1] == vocabulary.eosId()) {
            to--;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = from; i < to; i++) {
            TokenType type = vocabulary.type(ids[i]);
            if (unparseSpecial || (type != TokenType.CONTROL && type != TokenType.UNKNOWN)) {
                byte[] piece = pieces[ids[i]];
                int skip = removeSpace && piece.length > 0 && piece[0] == ' ' ? 1 : 0;
                out.write(piece, skip, piece.length - skip);
            }
            removeSpace = false;
        }
        byte[] text = out.toByteArray();
        int length = vocabulary.cleanSpaces() ? cleanSpaces(text) : text.length;
        return Utf8Decoder.decode(length == text.length ? text : Arrays.copyOf(text, length));
    }

    /**
     * SentencePiece (and WordPiece) pieces as llama.cpp renders them with special = true:
     * {@code ▁} is a space, {@code <0xNN>} one byte, unused and undefined entries nothing.
     */
    static byte[] sentencePiecePiece(Vocabulary vocabulary, int id) {
        String text = vocabulary.text(id);
        return switch (vocabulary.type(id)) {
            case CONTROL, UNKNOWN, USER_DEFINED -> text.getBytes(StandardCharsets.UTF_8);
            case NORMAL -> text.replace('\u2581', ' ').getBytes(StandardCharsets.UTF_8);
            case BYTE -> new byte[] {(byte) parseHexByte(text)};
            case UNUSED, UNDEFINED -> EMPTY;
        };
    }

    /** Byte-level BPE pieces: normal entries map back to bytes, special ones are their text, others nothing. */
    static byte[] bytePairPiece(Vocabulary vocabulary, int id) {
        String text = vocabulary.text(id);
        return switch (vocabulary.type(id)) {
            case CONTROL, UNKNOWN, USER_DEFINED -> text.getBytes(StandardCharsets.UTF_8);
            case NORMAL -> ByteLevelEncoding.decode(text);
            case BYTE, UNUSED, UNDEFINED -> EMPTY;
        };
    }

    // llama.cpp reads the two characters after "<0x" with strtol, which stops at the first non-hex one
    private static int parseHexByte(String text) {
        int value = 0;
        for (int i = 3; i < Math.min(5, text.length()); i++) {
            int digit = Character.digit(text.charAt(i), 16);
            if (digit < 0) {
                break;
            }
            value = value * 16 + digit;
        }
        return value;
    }

    /**
     * llama.cpp's three clean-up passes over the detokenized bytes, in place: drop the space before
     * {@code ? ! . ,}; turn {@code " ' "} into {@code "'"}; drop the space before {@code 's 'm 're 've}.
     * Returns the new length.
     */
    static int cleanSpaces(byte[] text) {
        int total = text.length;
        // pass 1: " ?", " !", " .", " ,"
        int total1 = total;
        total = total > 0 ? 1 : 0;
        for (int i = 1; i < total1; i++) {
            byte x = text[i];
            if (text[i - 1] == ' ' && (x == '?' || x == '!' || x == '.' || x == ',')) {
                total--;
            }
            text[total++] = x;
        }
        // pass 2: a single apostrophe between spaces
        int total2 = total;
        total = total > 0 ? 1 : 0;
        for (int i = 1; i < total2; i++) {
            byte x = text[i];
            if (x == '\'' && i + 1 < total2 && text[i - 1] == ' ' && text[i + 1] == ' ') {
                total--;
                text[++i] = 0;
            }
            text[total++] = x;
        }
        // pass 3: contractions " 's", " 'm", " 're", " 've" (not " 't", " 'd", " 'll")
        int total3 = total;
        total = total > 0 ? 1 : 0;
        for (int i = 1; i < total3; i++) {
            byte x = text[i];
            if (text[i - 1] == ' ' && x == '\'' && i + 1 < total3) {
                byte x1 = text[i + 1];
                if (x1 == 's' || x1 == 'm') {
                    total--;
                } else if (x1 != 't' && x1 != 'd' && i + 2 < total3) {
                    byte x2 = text[i + 2];
                    if ((x1 == 'r' && x2 == 'e') || (x1 == 'v' && x2 == 'e')) {
                        total--;
                    }
                }
            }
            text[total++] = x;
        }
        return total;
    }

    /** Java strings may hold lone surrogates, which have no UTF-8 form: they become U+FFFD. */
    static String wellFormed(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isSurrogate(c)) {
                boolean paired = Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1));
                if (!paired) {
                    return replaceLoneSurrogates(text);
                }
                i++;
            }
        }
        return text;
    }

    private static String replaceLoneSurrogates(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> out.appendCodePoint(cp <= 0xFFFF && Character.isSurrogate((char) cp) ? 0xFFFD : cp));
        return out.toString();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + vocabulary + "]";
    }
}
