package org.sparrowmesh.ranker.scoring;

import java.util.Objects;

/**
 * One candidate answer to score.
 *
 * @param meanLogProbability the decoder's mean log-probability per token, or null (snippets)
 */
public record CandidateInput(int index, String text, Origin origin, Double meanLogProbability) {

    public CandidateInput {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(origin, "origin");
    }
}
