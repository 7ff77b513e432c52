package org.sparrowmesh.retrieval.passage;

/**
 * A piece of a document: the unit the index stores and search returns.
 *
 * @param ordinal     0-based position among its document's passages
 * @param text        the passage text, exactly {@code document.substring(startOffset, endOffset)}
 * @param startOffset character offset of the first character in the document text
 * @param endOffset   character offset after the last character
 */
public record Passage(int ordinal, String text, int startOffset, int endOffset) {
}
