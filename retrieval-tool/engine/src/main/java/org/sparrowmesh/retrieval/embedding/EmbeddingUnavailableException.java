package org.sparrowmesh.retrieval.embedding;

/** The encoder could not embed: search falls back to BM25, ingestion indexes text only. */
public final class EmbeddingUnavailableException extends RuntimeException {

    public EmbeddingUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
