package org.sparrowmesh.retrieval.search;

import java.util.Objects;

import org.sparrowmesh.retrieval.snippet.SnippetCutter;

/**
 * A search.
 *
 * @param text            the user's words, never parsed as query syntax
 * @param resultCount     most documents to return (one snippet each)
 * @param mode            how to match
 * @param maxSnippetChars longest snippet, at most {@link SnippetCutter#MAX_CHARACTERS}
 */
public record SearchQuery(String text, int resultCount, SearchMode mode, int maxSnippetChars) {

    public SearchQuery {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(mode, "mode");
        if (text.isBlank()) {
            throw new IllegalArgumentException("query must not be blank");
        }
        if (resultCount < 1) {
            throw new IllegalArgumentException("result count must be at least 1, got " + resultCount);
        }
        if (maxSnippetChars < 1 || maxSnippetChars > SnippetCutter.MAX_CHARACTERS) {
            throw new IllegalArgumentException("snippet length must be within [1, " + SnippetCutter.MAX_CHARACTERS + "], got " + maxSnippetChars);
        }
    }

    public static SearchQuery of(String text, int resultCount, SearchMode mode) {
        return new SearchQuery(text, resultCount, mode, SnippetCutter.MAX_CHARACTERS);
    }
}
