package org.sparrowmesh.encoder.embedding;

import java.util.Objects;

/**
 * Text put before every input of a kind before it is tokenized (e5 needs "query: " and
 * "passage: "; all-MiniLM-L6-v2 and bge passages need none).
 */
public record Prefixes(String query, String passage) {

    /** No prefixes. */
    public static final Prefixes NONE = new Prefixes("", "");

    public Prefixes {
        Objects.requireNonNull(query, "query prefix");
        Objects.requireNonNull(passage, "passage prefix");
    }

    /** {@code text} with the prefix of {@code type}. */
    public String apply(InputType type, String text) {
        String prefix = type == InputType.QUERY ? query : passage;
        return prefix.isEmpty() ? text : prefix + text;
    }
}
