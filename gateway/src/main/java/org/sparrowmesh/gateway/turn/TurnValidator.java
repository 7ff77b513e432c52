package org.sparrowmesh.gateway.turn;

import org.sparrowmesh.proto.v1.Turn;

/**
 * Checks a user turn against the limits of {@code chat.proto} before any work starts. A bad turn
 * is an {@link IllegalArgumentException} whose message names the field and the limit; the shared
 * status mapping turns it into INVALID_ARGUMENT.
 */
public final class TurnValidator {

    /** Most characters (UTF-16 code units) of a turn's text. */
    public static final int MAX_TEXT_CHARACTERS = 8_000;
    /** Most characters of a conversation or turn id. */
    public static final int MAX_ID_CHARACTERS = 128;

    private TurnValidator() {
    }

    public static Turn requireValid(Turn turn) {
        String text = turn.getText();
        if (text.isBlank()) {
            throw new IllegalArgumentException("turn text is empty: say something");
        }
        if (text.length() > MAX_TEXT_CHARACTERS) {
            throw new IllegalArgumentException("turn text has " + text.length() + " characters; at most "
                    + MAX_TEXT_CHARACTERS + " are accepted");
        }
        requireId(turn.getConversationId(), "conversation_id");
        requireId(turn.getTurnId(), "turn_id");
        return turn;
    }

    private static void requireId(String id, String field) {
        if (id.length() > MAX_ID_CHARACTERS) {
            throw new IllegalArgumentException(field + " has " + id.length() + " characters; at most "
                    + MAX_ID_CHARACTERS + " are accepted");
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (Character.isWhitespace(c) || Character.isISOControl(c)) {
                throw new IllegalArgumentException(field + " must not contain whitespace or control characters"
                        + " (found U+" + String.format("%04X", (int) c) + " at index " + i + ")");
            }
        }
    }
}
