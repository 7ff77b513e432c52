package org.sparrowmesh.decoder.engine.chat;

import java.util.Objects;

/**
 * One message of a conversation as a chat template sees it.
 *
 * @param role    {@code system}, {@code user} or {@code assistant} (the names chat templates test for)
 * @param content the text, verbatim
 */
public record Message(String role, String content) {

    public Message {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }

    public static Message system(String content) {
        return new Message("system", content);
    }

    public static Message user(String content) {
        return new Message("user", content);
    }

    public static Message assistant(String content) {
        return new Message("assistant", content);
    }
}
