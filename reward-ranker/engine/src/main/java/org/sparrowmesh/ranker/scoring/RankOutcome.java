package org.sparrowmesh.ranker.scoring;

import java.util.List;

/**
 * Scores of every candidate, in input order, and the best one's index: the highest reward among
 * candidates no disqualifying rule flagged (among all when every one is), ties to the lower index.
 */
public record RankOutcome(List<CandidateScore> scores, int bestIndex) {
}
