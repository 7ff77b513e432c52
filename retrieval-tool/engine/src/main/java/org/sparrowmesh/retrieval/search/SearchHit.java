package org.sparrowmesh.retrieval.search;

/**
 * One piece of evidence: the best passage of one document, cut to a snippet.
 *
 * @param passageId   {@code <documentId>#<ordinal>}
 * @param text        the snippet, at most the query's snippet length, whole words only
 * @param score       BM25 score, cosine similarity or fused reciprocal-rank score, by mode
 * @param startOffset offset of the snippet's first character in the document text
 * @param endOffset   offset after its last character
 */
public record SearchHit(String documentId, String passageId, String title, String source, String url, String text,
        double score, int startOffset, int endOffset) {
}
