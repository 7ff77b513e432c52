package org.sparrowmesh.ranker.scoring;

import java.util.List;

/** A question, the evidence snippets of its turn, and the candidates to score. */
public record RankInput(String question, List<String> evidence, List<CandidateInput> candidates) {

    public RankInput {
        evidence = List.copyOf(evidence);
        candidates = List.copyOf(candidates);
    }
}
