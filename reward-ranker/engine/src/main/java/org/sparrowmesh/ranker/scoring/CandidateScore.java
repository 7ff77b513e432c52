package org.sparrowmesh.ranker.scoring;

import java.util.List;
import java.util.Map;

import org.sparrowmesh.ranker.rules.Violation;

/** One candidate's reward (penalties included), its features by name, and the rules it breaks. */
public record CandidateScore(int index, double reward, Map<String, Double> features, List<Violation> violations) {

    public boolean disqualified() {
        return violations.stream().anyMatch(Violation::disqualifying);
    }
}
