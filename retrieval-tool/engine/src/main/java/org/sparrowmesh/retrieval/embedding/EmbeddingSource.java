package org.sparrowmesh.retrieval.embedding;

import java.util.List;

/**
 * Where passage and query vectors come from: the encoder service (in the retrieval service) or
 * the encoder engine in-process (evaluation, tests). Vectors are unit length, so the index's
 * cosine similarity is a dot product.
 */
public interface EmbeddingSource {

    /** The model's name, recorded in the index so a search never mixes vector spaces. */
    String modelName();

    /** Number of dimensions of every vector. */
    int dimension();

    /**
     * Embeds {@code texts}, in order.
     *
     * @param queries true for search queries, false for passages (models with query/passage prefixes differ)
     * @throws EmbeddingUnavailableException when the encoder cannot be reached or refuses
     */
    List<float[]> embed(List<String> texts, boolean queries);
}
