package org.sparrowmesh.encoder.embedding;

import java.util.List;

/**
 * The input bounds of one embed request (proto {@code EmbedRequest}), the same for gRPC and
 * HTTP. Longer texts are refused rather than cut: 20,000 characters are far beyond what any
 * BERT-family model reads (256–512 tokens, roughly 1,000–2,500 characters of English), so a
 * larger text is a client mistake, and the bound keeps one request's tokenizer work small.
 */
public final class EmbedLimits {

    /** Most texts in one request. */
    public static final int MAX_TEXTS = 256;
    /** Most characters (Unicode code points) in one text. */
    public static final int MAX_CHARACTERS = 20_000;

    private EmbedLimits() {
    }

    /**
     * Checks {@code texts} against the limits. No texts and empty texts are fine.
     *
     * @throws IllegalArgumentException naming the limit and the offending text's index
     */
    public static void check(List<String> texts) {
        if (texts.size() > MAX_TEXTS) {
            throw new IllegalArgumentException("at most " + MAX_TEXTS + " texts per request, got " + texts.size());
        }
        for (int i = 0; i < texts.size(); i++) {
            String text = texts.get(i);
            if (text == null) {
                throw new IllegalArgumentException("text " + i + " is null; send a string (it may be empty)");
            }
            // code points <= UTF-16 units: count them only when the cheap bound is exceeded
            if (text.length() > MAX_CHARACTERS) {
                int characters = text.codePointCount(0, text.length());
                if (characters > MAX_CHARACTERS) {
                    throw new IllegalArgumentException("text " + i + " has " + characters
                            + " characters; at most 20,000 characters per text");
                }
            }
        }
    }
}
