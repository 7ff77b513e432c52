package org.sparrowmesh.decoder.engine.sampling;

import java.util.List;
import java.util.Objects;

/**
 * A chosen token with its log-probability and, when asked, the most likely tokens at its position.
 *
 * <p>The decode loop's hot path does not need this record: {@link Sampler#sample(float[],
 * TokenHistory)} returns the id and {@link Sampler#lastLogProbability()} the log-probability
 * without allocating. This record is for callers that report alternatives.
 *
 * @param id               the chosen token's id
 * @param logProbability   its natural-log probability under the model's unmodified distribution
 * @param topAlternatives  the most likely tokens at this position, most likely first (the chosen
 *                         token may be among them); empty unless asked for
 */
public record SampledToken(int id, float logProbability, List<TokenAlternative> topAlternatives) {

    public SampledToken {
        topAlternatives = List.copyOf(Objects.requireNonNull(topAlternatives, "topAlternatives"));
    }
}
