package org.sparrowmesh.decoder.engine.tokenizer;

/**
 * An incremental UTF-8 decoder that never emits half a character: bytes of an unfinished
 * sequence wait for the rest; an ill-formed sequence becomes one U+FFFD per maximal ill-formed
 * subpart (the Unicode recommended practice), and the byte that broke it starts afresh.
 */
final class Utf8Decoder {

    static final char REPLACEMENT = '\uFFFD';

    private int codepoint;  // bits gathered so far of the pending sequence
    private int expected;   // length of the pending sequence, 0 when none
    private int received;   // bytes of it seen
    private int lead;       // its first byte, which narrows the range of the second

    /** Decodes a whole byte sequence; a dangling partial sequence at the end becomes U+FFFD. */
    static String decode(byte[] bytes) {
        StringBuilder out = new StringBuilder(bytes.length);
        Utf8Decoder decoder = new Utf8Decoder();
        for (byte b : bytes) {
            decoder.accept(b, out);
        }
        decoder.flush(out);
        return out.toString();
    }

    /** Feeds one byte, appending whatever characters it completes. */
    void accept(byte value, StringBuilder out) {
        int b = value & 0xFF;
        if (expected > 0) {
            if (isContinuation(b)) {
                codepoint = (codepoint << 6) | (b & 0x3F);
                if (++received == expected) {
                    out.appendCodePoint(codepoint);
                    expected = 0;
                }
                return;
            }
            out.append(REPLACEMENT);
            expected = 0;
        }
        if (b < 0x80) {
            out.append((char) b);
        } else if (b >= 0xC2 && b <= 0xDF) {
            start(b, 2, b & 0x1F);
        } else if (b >= 0xE0 && b <= 0xEF) {
            start(b, 3, b & 0x0F);
        } else if (b >= 0xF0 && b <= 0xF4) {
            start(b, 4, b & 0x07);
        } else {
            out.append(REPLACEMENT); // a stray continuation byte, C0, C1 or F5..FF
        }
    }

    /** True when a partial character is waiting for more bytes. */
    boolean hasPending() {
        return expected > 0;
    }

    /** Ends the input: a partial character left over becomes U+FFFD. */
    void flush(StringBuilder out) {
        if (expected > 0) {
            out.append(REPLACEMENT);
            expected = 0;
        }
    }

    private void start(int b, int length, int bits) {
        lead = b;
        expected = length;
        received = 1;
        codepoint = bits;
    }

    // the second byte's range excludes overlong forms, surrogates and code points above U+10FFFF
    private boolean isContinuation(int b) {
        if (received == 1) {
            return switch (lead) {
                case 0xE0 -> b >= 0xA0 && b <= 0xBF;
                case 0xED -> b >= 0x80 && b <= 0x9F;
                case 0xF0 -> b >= 0x90 && b <= 0xBF;
                case 0xF4 -> b >= 0x80 && b <= 0x8F;
                default -> b >= 0x80 && b <= 0xBF;
            };
        }
        return b >= 0x80 && b <= 0xBF;
    }
}
