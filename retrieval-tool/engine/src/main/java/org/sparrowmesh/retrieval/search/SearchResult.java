package org.sparrowmesh.retrieval.search;

import java.util.List;

/**
 * The answer to a {@link SearchQuery}.
 *
 * @param hits           best first, one per document
 * @param totalHits      passages that matched (BM25, hybrid) or were considered (vector)
 * @param effectiveMode  the mode used: BM25 when vectors were unavailable
 * @param degradedReason why the mode differs from the one asked for, or empty
 */
public record SearchResult(List<SearchHit> hits, long totalHits, SearchMode effectiveMode, String degradedReason) {
}
