package org.sparrowmesh.decoder.engine.sampling;

/**
 * A likely token at some position.
 *
 * @param id             the token's id in the vocabulary
 * @param logProbability natural-log probability under the model's unmodified distribution (the
 *                       log-softmax of the raw logits, before penalties, filters and temperature)
 */
public record TokenAlternative(int id, float logProbability) {
}
