package org.sparrowmesh.decoder.engine.tokenizer;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;

import org.sparrowmesh.decoder.engine.tokenizer.SpecialTokenSplitter.Fragment;

/**
 * The WordPiece tokenizer of {@code tokenizer.ggml.model = bert} (llama.cpp's
 * {@code llm_tokenizer_wpm}). The text is normalised as llama.cpp does it — each code point
 * replaced by the first code point of its NFD form (which drops accents), lower-cased, controls
 * dropped — and split at whitespace, with punctuation, ASCII symbols and CJK ideographs as words
 * of their own. Each word, prefixed with {@code ▁}, is cut greedily into the longest entries; a
 * word that cannot be cut completely becomes the unknown token.
 */
public final class WordPieceTokenizer extends VocabularyTokenizer {

    WordPieceTokenizer(Vocabulary vocabulary) {
        super(vocabulary);
        if (vocabulary.model() != TokenizerModel.WORD_PIECE) {
            throw new IllegalArgumentException("a WordPiece tokenizer needs a bert vocabulary, not " + vocabulary.model());
        }
    }

    @Override
    void encode(List<Fragment> fragments, boolean addSpecial, IntList out) {
        if (addSpecial) {
            out.add(requireSpecial(vocabulary.bosId(), "CLS (BOS)"));
        }
        for (Fragment fragment : fragments) {
            if (fragment.isText()) {
                for (String word : words(fragment.text())) {
                    tokenizeWord(word, out);
                }
            } else {
                out.add(fragment.token());
            }
        }
        if (addSpecial) {
            out.add(requireSpecial(vocabulary.separatorId(), "SEP"));
        }
    }

    private void tokenizeWord(String word, IntList out) {
        String text = "\u2581" + word;
        int n = text.length();
        int before = out.size();
        IntList pieces = new IntList(4);
        boolean complete = true;
        for (int i = 0; i < n; ) {
            int found = -1;
            for (int j = Math.min(n, i + vocabulary.maxTokenChars()); j > i; j--) {
                int id = vocabulary.id(text.substring(i, j));
                if (id != Vocabulary.NO_TOKEN) {
                    pieces.add(id);
                    found = j;
                    break;
                }
            }
            if (found < 0) {
                complete = false;
                break;
            }
            i = found;
        }
        if (complete && pieces.size() > 0) {
            for (int id : pieces.toArray()) {
                out.add(id);
            }
        }
        if (out.size() == before) {
            out.add(vocabulary.unknownId());
        }
    }

    /** llama.cpp's WordPiece pre-processing. */
    static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        text.codePoints().forEach(original -> {
            int cp = firstOfNfd(original);
            int flags = CodepointFlags.of(cp);
            if ((flags & CodepointFlags.WHITESPACE) != 0) {
                finish(word, words);
                return;
            }
            if (cp == 0 || cp == 0xFFFD || (flags & CodepointFlags.CONTROL) != 0) {
                return;
            }
            int lower = Character.toLowerCase(cp);
            if ((flags & CodepointFlags.PUNCTUATION) != 0 || (cp < 0x7F && (flags & CodepointFlags.SYMBOL) != 0)
                    || isChineseCharacter(cp)) {
                finish(word, words);
                words.add(Character.toString(lower));
            } else {
                word.appendCodePoint(lower);
            }
        });
        finish(word, words);
        return words;
    }

    private static void finish(StringBuilder word, List<String> words) {
        if (!word.isEmpty()) {
            words.add(word.toString());
            word.setLength(0);
        }
    }

    private static int firstOfNfd(int cp) {
        if (cp < 0xC0) {
            return cp; // nothing below U+00C0 decomposes
        }
        String s = Character.toString(cp);
        return Normalizer.isNormalized(s, Normalizer.Form.NFD) ? cp : Normalizer.normalize(s, Normalizer.Form.NFD).codePointAt(0);
    }

    // the CJK blocks BERT's tokenizer isolates, with its 0x2B920 where 0x2B820 was meant
    private static boolean isChineseCharacter(int cp) {
        return (cp >= 0x04E00 && cp <= 0x09FFF)
                || (cp >= 0x03400 && cp <= 0x04DBF)
                || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F)
                || (cp >= 0x2B740 && cp <= 0x2B81F)
                || (cp >= 0x2B920 && cp <= 0x2CEAF)
                || (cp >= 0x0F900 && cp <= 0x0FAFF)
                || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }
}
