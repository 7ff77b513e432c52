package org.sparrowmesh.decoder.engine.tokenizer;

/**
 * Unicode classes of a code point as llama.cpp's unicode.cpp sees them: the general category
 * group ({@code \p{L}}, {@code \p{N}}, …) and whitespace. llama.cpp generates its tables with
 * Python's {@code regex} module, where unassigned code points count as {@code \p{C}} and
 * {@code \s} is the Unicode White_Space property; both are reproduced here from the JDK's
 * Unicode data.
 */
final class CodepointFlags {

    static final int NUMBER = 1 << 1;       // \p{N}
    static final int LETTER = 1 << 2;       // \p{L}
    static final int SEPARATOR = 1 << 3;    // \p{Z}
    static final int ACCENT_MARK = 1 << 4;  // \p{M}
    static final int PUNCTUATION = 1 << 5;  // \p{P}
    static final int SYMBOL = 1 << 6;       // \p{S}
    static final int CONTROL = 1 << 7;      // \p{C}, unassigned code points included
    static final int WHITESPACE = 1 << 8;   // \s

    private CodepointFlags() {
    }

    /** The flags of a code point; never 0 (llama.cpp uses 0 only for "outside the text"). */
    static int of(int codepoint) {
        int category = switch (Character.getType(codepoint)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                    Character.MODIFIER_LETTER, Character.OTHER_LETTER -> LETTER;
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> NUMBER;
            case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK -> ACCENT_MARK;
            case Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> SEPARATOR;
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                    Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION,
                    Character.FINAL_QUOTE_PUNCTUATION, Character.OTHER_PUNCTUATION -> PUNCTUATION;
            case Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL, Character.MODIFIER_SYMBOL,
                    Character.OTHER_SYMBOL -> SYMBOL;
            default -> CONTROL; // Cc, Cf, Cs, Co and unassigned
        };
        return isWhitespace(codepoint) ? category | WHITESPACE : category;
    }

    /** The Unicode White_Space property: llama.cpp's {@code unicode_set_whitespace}. */
    static boolean isWhitespace(int codepoint) {
        return (codepoint >= 0x09 && codepoint <= 0x0D)
                || codepoint == 0x20
                || codepoint == 0x85
                || codepoint == 0xA0
                || codepoint == 0x1680
                || (codepoint >= 0x2000 && codepoint <= 0x200A)
                || codepoint == 0x2028
                || codepoint == 0x2029
                || codepoint == 0x202F
                || codepoint == 0x205F
                || codepoint == 0x3000;
    }

    static boolean isLetter(int codepoint) {
        return (of(codepoint) & LETTER) != 0;
    }

    static boolean isNumber(int codepoint) {
        return (of(codepoint) & NUMBER) != 0;
    }
}
