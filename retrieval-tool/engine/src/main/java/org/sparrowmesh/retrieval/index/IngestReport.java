package org.sparrowmesh.retrieval.index;

/**
 * What one {@link PassageIndex#add} call wrote.
 *
 * @param documents                  documents indexed (new or replaced)
 * @param passages                   passages written
 * @param passagesWithoutEmbedding   of those, how many have no vector (the encoder was unavailable)
 * @param embeddingError             why vectors are missing, or empty
 */
public record IngestReport(int documents, int passages, int passagesWithoutEmbedding, String embeddingError) {
}
