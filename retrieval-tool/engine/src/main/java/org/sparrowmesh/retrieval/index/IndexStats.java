package org.sparrowmesh.retrieval.index;

/**
 * Size and make-up of a {@link PassageIndex}.
 *
 * @param embeddingModel     model of the stored vectors, empty when none
 * @param embeddingDimension their dimension, 0 when none
 */
public record IndexStats(long documents, long passages, long sizeBytes, String embeddingModel, int embeddingDimension) {
}
