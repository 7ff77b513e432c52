package org.sparrowmesh.retrieval.search;

/** How a query is matched. */
public enum SearchMode {
    /** Lexical: BM25 over the analysed title and passage text. */
    BM25,
    /** Semantic: nearest passage vectors to the query's (cosine). */
    VECTOR,
    /** Both, fused by reciprocal rank. */
    HYBRID
}
