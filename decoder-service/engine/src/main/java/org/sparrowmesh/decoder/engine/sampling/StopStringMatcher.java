package org.sparrowmesh.decoder.engine.sampling;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Finds stop strings in generated text that arrives in pieces, and decides how much of it a
 * client may see now. Text that could still turn into a stop string (a suffix that is a proper
 * prefix of one) is held back until the next piece settles it, so a client never sees the first
 * half of a stop string, and text from the stop string on is never released.
 *
 * <pre>{@code
 * var stops = new StopStringMatcher(List.of("\nUser:"));
 * stops.append("Hi\nU");   // "Hi"   ("\nU" held back)
 * stops.append("ser");     // ""     ("\nUser" held back)
 * stops.append(":");       // ""     stopped(), text() is "Hi"
 * }</pre>
 *
 * <p>When pieces complete several stop strings at once, the one that ends first wins (the one a
 * character-by-character stream would have met first; on a tie, the longer). So the outcome does
 * not depend on how the text was cut into pieces. Only about strings: EOS and max tokens belong to
 * the decode loop, which calls {@link #finish()} when it ends for those reasons. Not thread-safe.
 */
public final class StopStringMatcher {

    private final List<String> stopStrings;
    private final int longestStopString;

    // held-back text: the longest suffix of the text so far that is a proper prefix of a stop string
    private String pending = "";
    private final StringBuilder released = new StringBuilder();
    private String matched;
    private boolean finished;

    /**
     * A matcher for {@code stopStrings} (none is allowed: then every piece is released whole).
     *
     * @throws IllegalArgumentException when a stop string is empty
     */
    public StopStringMatcher(List<String> stopStrings) {
        this.stopStrings = List.copyOf(Objects.requireNonNull(stopStrings, "stopStrings"));
        int longest = 0;
        for (int i = 0; i < this.stopStrings.size(); i++) {
            String stop = this.stopStrings.get(i);
            if (stop.isEmpty()) {
                throw new IllegalArgumentException("stop string " + i + " is empty");
            }
            longest = Math.max(longest, stop.length());
        }
        this.longestStopString = longest;
    }

    /** The stop strings, in the order given. */
    public List<String> stopStrings() {
        return stopStrings;
    }

    /**
     * Adds the next piece of generated text and returns the text that is now safe to show (maybe
     * empty): everything not held back, and, when this piece completes a stop string, everything
     * before it. After a stop string, pieces are ignored and "" is returned.
     *
     * @throws IllegalStateException after {@link #finish()}
     */
    public String append(String delta) {
        Objects.requireNonNull(delta, "delta");
        if (finished) {
            throw new IllegalStateException("append after finish()");
        }
        if (matched != null || delta.isEmpty()) {
            return "";
        }
        String text = pending.concat(delta);

        // A stop string complete in `text` must end inside `delta`: none was complete before.
        int matchStart = -1;
        int matchEnd = Integer.MAX_VALUE;
        String match = null;
        for (String stop : stopStrings) {
            int start = text.indexOf(stop, Math.max(0, pending.length() - stop.length() + 1));
            if (start < 0) {
                continue;
            }
            int end = start + stop.length();
            if (end < matchEnd || (end == matchEnd && start < matchStart)) {
                matchStart = start;
                matchEnd = end;
                match = stop;
            }
        }
        if (match != null) {
            matched = match;
            pending = "";
            String safe = text.substring(0, matchStart);
            released.append(safe);
            return safe;
        }

        int held = heldBackLength(text);
        pending = text.substring(text.length() - held);
        String safe = text.substring(0, text.length() - held);
        released.append(safe);
        return safe;
    }

    /**
     * Ends the text (EOS, max tokens, cancellation): releases what was held back, which can no
     * longer become a stop string. "" when a stop string was found. Idempotent.
     */
    public String finish() {
        finished = true;
        String rest = pending;
        pending = "";
        released.append(rest);
        return rest;
    }

    /** Whether a stop string has been completed. */
    public boolean stopped() {
        return matched != null;
    }

    /** The stop string that was completed, if any. */
    public Optional<String> matchedStopString() {
        return Optional.ofNullable(matched);
    }

    /**
     * All text released so far: after a stop string, the final text (cut where the stop string
     * began); after {@link #finish()}, the whole text.
     */
    public String text() {
        return released.toString();
    }

    /** How many characters are held back now. */
    public int heldBackLength() {
        return pending.length();
    }

    // the longest suffix of `text` that is a proper prefix of some stop string
    private int heldBackLength(String text) {
        for (int length = Math.min(text.length(), longestStopString - 1); length > 0; length--) {
            int offset = text.length() - length;
            for (String stop : stopStrings) {
                if (length < stop.length() && stop.regionMatches(0, text, offset, length)) {
                    return length;
                }
            }
        }
        return 0;
    }
}
