package org.sparrowmesh.retrieval.index;

import java.util.Map;
import java.util.Objects;

/**
 * A document to index, in plain text.
 *
 * @param id       caller-chosen id; indexing the same id again replaces the document
 * @param title    may be empty
 * @param text     the full text to split into passages
 * @param source   where it came from (collection name, file path); may be empty
 * @param url      link to the original; may be empty
 * @param metadata free-form attributes, stored not searched
 */
public record SourceDocument(String id, String title, String text, String source, String url, Map<String, String> metadata) {

    public SourceDocument {
        Objects.requireNonNull(id, "id");
        title = title == null ? "" : title;
        Objects.requireNonNull(text, "text");
        source = source == null ? "" : source;
        url = url == null ? "" : url;
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    public static SourceDocument of(String id, String title, String text, String source) {
        return new SourceDocument(id, title, text, source, "", Map.of());
    }
}
