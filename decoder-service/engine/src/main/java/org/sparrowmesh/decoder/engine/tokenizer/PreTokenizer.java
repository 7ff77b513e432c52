package org.sparrowmesh.decoder.engine.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits text into the words BPE merges within, as llama.cpp's {@code unicode_regex_split} does
 * for a {@code tokenizer.ggml.pre} type: a sequence of regexes, each splitting the pieces the
 * previous one left (a match and the text between matches both become pieces).
 *
 * <p>The GPT-2 and llama-3 regexes run as hand-written scanners over llama.cpp's code point
 * classes, as llama.cpp runs them, quirks included. Any other regex runs the way llama.cpp's
 * {@code std::regex} fallback does: on a "collapsed" copy of the text where every non-ASCII code
 * point stands as one char for its class (whitespace, number, letter, punctuation, other) and
 * {@code \p{N}}, {@code \p{L}}, {@code \p{P}} are rewritten to match those chars.
 */
final class PreTokenizer {

    /** GPT-2's regex; llama.cpp runs it as a scanner (which also takes a trailing {@code \s+}). */
    static final String GPT2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";

    /** Llama 3's regex with the case-insensitive group spelt out; also run as a scanner. */
    static final String LLAMA3 = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])"
            + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    /** Qwen 2 and StableLM 2: llama-3's regex with single digits. */
    static final String QWEN2 = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])"
            + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    // the chars standing for non-ASCII code points in the collapsed text, as in unicode.cpp
    private static final char COLLAPSED_WHITESPACE = 0x0B;
    private static final char COLLAPSED_OTHER = 0xD0;
    private static final char COLLAPSED_NUMBER = 0xD1;
    private static final char COLLAPSED_LETTER = 0xD2;
    private static final char COLLAPSED_PUNCTUATION = 0xD3;

    private static final int OUTSIDE = -1;

    private final String name;
    private final List<String> regexes;
    private final Pattern[] collapsedPatterns; // null where a scanner runs

    private PreTokenizer(String name, List<String> regexes) {
        this.name = name;
        this.regexes = List.copyOf(regexes);
        this.collapsedPatterns = new Pattern[regexes.size()];
        for (int i = 0; i < regexes.size(); i++) {
            String regex = regexes.get(i);
            if (!regex.equals(GPT2) && !regex.equals(LLAMA3)) {
                if (!regex.chars().allMatch(c -> c < 0x80)) {
                    throw new IllegalArgumentException("pre-tokenizer regex with non-ASCII characters is not supported: " + regex);
                }
                collapsedPatterns[i] = Pattern.compile(collapse(regex));
            }
        }
    }

    /**
     * The pre-tokenizer for a {@code tokenizer.ggml.pre} name.
     *
     * @throws IllegalArgumentException naming the type when it is not supported here
     */
    static PreTokenizer forName(String pre) {
        List<String> regexes = switch (pre) {
            case "", "default" -> List.of("[\\p{P}\\$\\+<=>\\^~\\|]+", GPT2, "\\p{N}+", "[0-9][0-9][0-9]");
            case "llama3", "llama-v3", "llama-bpe", "falcon3", "dbrx", "smaug-bpe", "chatglm-bpe" -> List.of(LLAMA3);
            case "gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v1-en", "jina-v2-es", "jina-v2-de",
                    "jina-v2-code", "roberta-bpe", "mpt", "olmo", "jais" -> List.of(GPT2);
            case "qwen2", "megrez", "stablelm2" -> List.of(QWEN2);
            case "starcoder", "refact", "command-r", "smollm", "codeshell", "exaone", "minerva-7b" -> List.of("\\p{N}", GPT2);
            case "falcon" -> List.of("[\\p{P}\\$\\+<=>\\^~\\|`]+", GPT2, "[0-9][0-9][0-9]");
            default -> throw new IllegalArgumentException("pre-tokenizer '" + pre + "' (tokenizer.ggml.pre) is not supported;"
                    + " supported: default, llama3/llama-bpe, gpt-2 and its kin, qwen2, starcoder and its kin, falcon");
        };
        return new PreTokenizer(pre.isEmpty() ? "default" : pre, regexes);
    }

    /** A pre-tokenizer running the given regexes in order (tests and uncommon types). */
    static PreTokenizer ofRegexes(String name, List<String> regexes) {
        return new PreTokenizer(name, regexes);
    }

    String name() {
        return name;
    }

    /** The words of {@code text}, in order; they concatenate back to {@code text}. */
    List<String> split(String text) {
        int[] codepoints = text.codePoints().toArray();
        if (codepoints.length == 0) {
            return List.of();
        }
        int[] lengths = {codepoints.length};
        String collapsed = null;
        for (int i = 0; i < regexes.size(); i++) {
            String regex = regexes.get(i);
            if (regex.equals(GPT2)) {
                lengths = splitGpt2(codepoints, lengths);
            } else if (regex.equals(LLAMA3)) {
                lengths = splitLlama3(codepoints, lengths);
            } else {
                if (collapsed == null) {
                    collapsed = collapseText(codepoints);
                }
                lengths = splitRegex(collapsedPatterns[i], collapsed, lengths);
            }
        }
        List<String> words = new ArrayList<>(lengths.length);
        int start = 0;
        for (int length : lengths) {
            words.add(new String(codepoints, start, length));
            start += length;
        }
        return words;
    }

    // ---- the GPT-2 scanner: 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+

    private static int[] splitGpt2(int[] cps, int[] lengths) {
        Pieces out = new Pieces(lengths.length);
        int start = 0;
        for (int length : lengths) {
            Range r = new Range(cps, start, start + length);
            int pos = start;
            while (pos < r.end) {
                int cp = cps[pos];
                int flags = r.flags(pos);
                if (cp == '\'' && pos + 1 < r.end) {
                    int next = cps[pos + 1];
                    if (next == 's' || next == 't' || next == 'm' || next == 'd') {
                        pos = out.cut(pos, pos + 2);
                        continue;
                    }
                    if (pos + 2 < r.end && isTwoLetterContraction(next, cps[pos + 2])) {
                        pos = out.cut(pos, pos + 3);
                        continue;
                    }
                }
                // after an optional space, the class of what follows decides
                int afterSpace = cp == ' ' ? r.flags(pos + 1) : flags;
                int from = pos + (cp == ' ' ? 1 : 0);
                if ((afterSpace & CodepointFlags.LETTER) != 0) {
                    pos = out.cut(pos, r.skipWhile(from, CodepointFlags.LETTER));
                    continue;
                }
                if ((afterSpace & CodepointFlags.NUMBER) != 0) {
                    pos = out.cut(pos, r.skipWhile(from, CodepointFlags.NUMBER));
                    continue;
                }
                if (isOther(afterSpace)) {
                    int end = from;
                    while (isOther(r.flags(end))) {
                        end++;
                    }
                    pos = out.cut(pos, end);
                    continue;
                }
                int spaces = r.skipWhile(pos, CodepointFlags.WHITESPACE) - pos;
                if (spaces > 1 && r.codepoint(pos + spaces) != OUTSIDE) {
                    pos = out.cut(pos, pos + spaces - 1); // \s+(?!\S): leave the last space to the next word
                    continue;
                }
                if (spaces > 0) {
                    pos = out.cut(pos, pos + spaces);
                    continue;
                }
                pos = out.cut(pos, pos + 1); // no alternative matches: a piece of its own
            }
            start += length;
        }
        return out.toArray();
    }

    // ---- the llama-3 scanner:
    // (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+

    private static int[] splitLlama3(int[] cps, int[] lengths) {
        Pieces out = new Pieces(lengths.length);
        int start = 0;
        for (int length : lengths) {
            Range r = new Range(cps, start, start + length);
            int pos = start;
            while (pos < r.end) {
                int cp = cps[pos];
                int flags = r.flags(pos);
                if (cp == '\'' && pos + 1 < r.end) {
                    int next = Character.toLowerCase(cps[pos + 1]);
                    if (next == 's' || next == 't' || next == 'm' || next == 'd') {
                        pos = out.cut(pos, pos + 2);
                        continue;
                    }
                    if (pos + 2 < r.end && isTwoLetterContraction(next, Character.toLowerCase(cps[pos + 2]))) {
                        pos = out.cut(pos, pos + 3);
                        continue;
                    }
                }
                // [^\r\n\p{L}\p{N}]?\p{L}+
                if (!(cp == '\r' || cp == '\n' || (flags & CodepointFlags.NUMBER) != 0)) {
                    if ((flags & CodepointFlags.LETTER) != 0 || (r.flags(pos + 1) & CodepointFlags.LETTER) != 0) {
                        pos = out.cut(pos, r.skipWhile(pos + 1, CodepointFlags.LETTER));
                        continue;
                    }
                }
                // \p{N}{1,3}: a run of digits goes in threes
                if ((flags & CodepointFlags.NUMBER) != 0) {
                    int end = r.skipWhile(pos, CodepointFlags.NUMBER);
                    while (pos < end) {
                        pos = out.cut(pos, Math.min(pos + 3, end));
                    }
                    continue;
                }
                //  ?[^\s\p{L}\p{N}]+[\r\n]*  (llama.cpp tests the first code point's own flags here, not the class after the space)
                int afterSpace = cp == ' ' ? r.flags(pos + 1) : flags;
                if ((afterSpace & (CodepointFlags.WHITESPACE | CodepointFlags.LETTER | CodepointFlags.NUMBER)) == 0 && flags != 0) {
                    int end = pos + (cp == ' ' ? 1 : 0);
                    while (isOther(r.flags(end))) {
                        end++;
                    }
                    while (r.codepoint(end) == '\r' || r.codepoint(end) == '\n') {
                        end++;
                    }
                    pos = out.cut(pos, end);
                    continue;
                }
                int spaces = 0;
                int afterLastNewline = 0;
                while ((r.flags(pos + spaces) & CodepointFlags.WHITESPACE) != 0) {
                    int c = cps[pos + spaces];
                    if (c == '\r' || c == '\n') {
                        afterLastNewline = pos + spaces + 1;
                    }
                    spaces++;
                }
                if (afterLastNewline > 0) {
                    pos = out.cut(pos, afterLastNewline); // \s*[\r\n]+
                    continue;
                }
                if (spaces > 1 && r.codepoint(pos + spaces) != OUTSIDE) {
                    pos = out.cut(pos, pos + spaces - 1); // \s+(?!\S)
                    continue;
                }
                if (spaces > 0) {
                    pos = out.cut(pos, pos + spaces);
                    continue;
                }
                pos = out.cut(pos, pos + 1);
            }
            start += length;
        }
        return out.toArray();
    }

    private static boolean isTwoLetterContraction(int first, int second) {
        return (first == 'r' && second == 'e') || (first == 'v' && second == 'e') || (first == 'l' && second == 'l');
    }

    // [^\s\p{L}\p{N}] inside the text
    private static boolean isOther(int flags) {
        return flags != 0 && (flags & (CodepointFlags.WHITESPACE | CodepointFlags.LETTER | CodepointFlags.NUMBER)) == 0;
    }

    // ---- the std::regex fallback, on the collapsed text

    private static int[] splitRegex(Pattern pattern, String collapsed, int[] lengths) {
        Pieces out = new Pieces(lengths.length * 2);
        Matcher matcher = pattern.matcher(collapsed);
        int start = 0;
        for (int length : lengths) {
            int end = start + length;
            // opaque region bounds: like std::regex over [start, end), lookaheads do not see past the piece
            matcher.region(start, end);
            int previous = start;
            while (matcher.find()) {
                if (matcher.start() > previous) {
                    out.add(matcher.start() - previous);
                }
                out.add(matcher.end() - matcher.start());
                previous = matcher.end();
            }
            if (previous < end) {
                out.add(end - previous);
            }
            start = end;
        }
        return out.toArray();
    }

    /** The text with one char per code point, non-ASCII ones replaced by the char of their class. */
    static String collapseText(int[] codepoints) {
        char[] chars = new char[codepoints.length];
        for (int i = 0; i < codepoints.length; i++) {
            int cp = codepoints[i];
            if (cp < 0x80) {
                chars[i] = (char) cp;
                continue;
            }
            int flags = CodepointFlags.of(cp);
            if ((flags & CodepointFlags.WHITESPACE) != 0) {
                chars[i] = COLLAPSED_WHITESPACE;
            } else if ((flags & CodepointFlags.NUMBER) != 0) {
                chars[i] = COLLAPSED_NUMBER;
            } else if ((flags & CodepointFlags.LETTER) != 0) {
                chars[i] = COLLAPSED_LETTER;
            } else if ((flags & CodepointFlags.PUNCTUATION) != 0) {
                chars[i] = COLLAPSED_PUNCTUATION;
            } else {
                chars[i] = COLLAPSED_OTHER;
            }
        }
        return new String(chars);
    }

    /**
     * The regex rewritten for the collapsed text: {@code \p{N}}, {@code \p{L}} and {@code \p{P}}
     * become their collapsed char plus their ASCII members, bracketed unless already inside a class.
     */
    static String collapse(String regex) {
        StringBuilder out = new StringBuilder(regex.length() + 32);
        boolean insideClass = false;
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            if (c == '[' && (i == 0 || regex.charAt(i - 1) != '\\')) {
                out.append('[');
                insideClass = true;
                continue;
            }
            if (insideClass && c == ']' && regex.charAt(i - 1) != '\\') {
                out.append(']');
                insideClass = false;
                continue;
            }
            if (c == '\\' && i + 4 < regex.length() && regex.charAt(i + 1) == 'p' && regex.charAt(i + 2) == '{'
                    && regex.charAt(i + 4) == '}') {
                String members = switch (regex.charAt(i + 3)) {
                    case 'N' -> COLLAPSED_NUMBER + "0-9";
                    case 'L' -> COLLAPSED_LETTER + "A-Za-z";
                    case 'P' -> COLLAPSED_PUNCTUATION + "!-#%-*,-/:-;?-@\\[-\\]_\\{\\}";
                    default -> null;
                };
                if (members != null) {
                    out.append(insideClass ? members : "[" + members + "]");
                    i += 4;
                    continue;
                }
            }
            out.append(c);
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return "PreTokenizer[" + name + "]";
    }

    /** One piece of text being scanned: code point classes inside it, 0 outside (where llama.cpp sees nothing). */
    private record Range(int[] cps, int start, int end) {

        int flags(int pos) {
            return pos >= start && pos < end ? CodepointFlags.of(cps[pos]) : 0;
        }

        int codepoint(int pos) {
            return pos >= start && pos < end ? cps[pos] : OUTSIDE;
        }

        /** The first position at or after {@code pos} whose flags lack {@code flag}. */
        int skipWhile(int pos, int flag) {
            while ((flags(pos) & flag) != 0) {
                pos++;
            }
            return pos;
        }
    }

    /** Piece lengths, in code points. */
    private static final class Pieces {
        private int[] lengths;
        private int size;

        Pieces(int capacity) {
            lengths = new int[Math.max(8, capacity)];
        }

        void add(int length) {
            if (size == lengths.length) {
                lengths = Arrays.copyOf(lengths, size * 2);
            }
            lengths[size++] = length;
        }

        /** Records the piece [from, to) when not empty; returns {@code to}. */
        int cut(int from, int to) {
            if (to > from) {
                add(to - from);
            }
            return to;
        }

        int[] toArray() {
            return Arrays.copyOf(lengths, size);
        }
    }
}
