package org.sparrowmesh.encoder.embedding;

import java.util.Locale;

/**
 * What a text is for, for models trained with prefixes (e5: "query: " / "passage: ").
 * all-MiniLM-L6-v2 uses none, so both prefixes default to empty.
 */
public enum InputType {
    /** A search query. */
    QUERY,
    /** A passage to be found (the default). */
    PASSAGE;

    /**
     * Parses {@code query}, {@code passage} or {@code document} (an alias of passage, as some
     * embedding APIs call it), case-insensitively.
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static InputType parse(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "query" -> QUERY;
            case "passage", "document" -> PASSAGE;
            default -> throw new IllegalArgumentException(
                    "input_type must be \"query\" or \"passage\" (or \"document\"), got \"" + value + "\"");
        };
    }
}
