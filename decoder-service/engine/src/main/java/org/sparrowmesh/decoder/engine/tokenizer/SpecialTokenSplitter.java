package org.sparrowmesh.decoder.engine.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts special-token texts out of the input before it is tokenized (llama.cpp's
 * {@code tokenizer_st_partition}). Every special text is searched in turn, longest first, in the
 * text pieces the earlier ones left. User-defined tokens are always cut out; control and unknown
 * tokens only when special tokens are parsed — otherwise {@code <s>} is plain text.
 */
final class SpecialTokenSplitter {

    /** A piece of input: raw text, or a token id cut out of it. */
    record Fragment(String text, int token) {

        static Fragment text(String text) {
            return new Fragment(text, Vocabulary.NO_TOKEN);
        }

        static Fragment token(int id) {
            return new Fragment(null, id);
        }

        boolean isText() {
            return text != null;
        }
    }

    private SpecialTokenSplitter() {
    }

    static List<Fragment> split(Vocabulary vocabulary, String text, boolean parseSpecial) {
        List<Fragment> fragments = new ArrayList<>();
        if (text.isEmpty()) {
            return fragments;
        }
        fragments.add(Fragment.text(text));
        for (int id : vocabulary.specialTokens()) {
            TokenType type = vocabulary.type(id);
            if (!parseSpecial && (type == TokenType.CONTROL || type == TokenType.UNKNOWN)) {
                continue;
            }
            fragments = cut(fragments, vocabulary.text(id), id, vocabulary.stripsLeft(id), vocabulary.stripsRight(id));
        }
        return fragments;
    }

    private static List<Fragment> cut(List<Fragment> fragments, String special, int id, boolean stripLeft, boolean stripRight) {
        List<Fragment> out = null;
        for (int f = 0; f < fragments.size(); f++) {
            Fragment fragment = fragments.get(f);
            int at = fragment.isText() ? fragment.text().indexOf(special) : -1;
            if (at < 0) {
                if (out != null) {
                    out.add(fragment);
                }
                continue;
            }
            if (out == null) {
                out = new ArrayList<>(fragments.subList(0, f));
            }
            String text = fragment.text();
            int from = 0;
            while (at >= 0) {
                int leftEnd = at;
                if (stripLeft) {
                    while (leftEnd > from && isCSpace(text.charAt(leftEnd - 1))) {
                        leftEnd--;
                    }
                }
                if (leftEnd > from) {
                    out.add(Fragment.text(text.substring(from, leftEnd)));
                }
                out.add(Fragment.token(id));
                from = at + special.length();
                if (stripRight) {
                    while (from < text.length() && isCSpace(text.charAt(from))) {
                        from++;
                    }
                }
                at = text.indexOf(special, from);
            }
            if (from < text.length()) {
                out.add(Fragment.text(text.substring(from)));
            }
        }
        return out == null ? fragments : out;
    }

    // C's isspace in the "C" locale, which llama.cpp strips with
    private static boolean isCSpace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }
}
