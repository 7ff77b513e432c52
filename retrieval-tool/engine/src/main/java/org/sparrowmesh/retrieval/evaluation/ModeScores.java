package org.sparrowmesh.retrieval.evaluation;

/** Mean measures of one search mode over a dataset's judged queries. */
public record ModeScores(String mode, double ndcgAt10, double recallAt10, double recallAt100, double queriesPerSecond) {
}
