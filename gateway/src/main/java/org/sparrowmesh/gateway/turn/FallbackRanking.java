package org.sparrowmesh.gateway.turn;

import java.util.List;
import java.util.Set;

import org.sparrowmesh.proto.v1.Candidate;
import org.sparrowmesh.proto.v1.CandidateOrigin;
import org.sparrowmesh.proto.v1.CandidateScore;
import org.sparrowmesh.proto.v1.RankResponse;
import org.sparrowmesh.proto.v1.ScorerKind;
import org.sparrowmesh.proto.v1.Snippet;

/**
 * The ordering the gateway uses when the ranker cannot be reached (DESIGN §1): how much of a
 * candidate the evidence supports plus a little of the decoder's mean log-probability; snippets
 * score by how many of the question's words they hold. Empty candidates come last.
 */
final class FallbackRanking {

    private FallbackRanking() {
    }

    static RankResponse rank(String question, List<Snippet> evidence, List<Candidate> candidates) {
        Set<String> questionWords = PromptBuilder.contentWords(question);
        RankResponse.Builder response = RankResponse.newBuilder().setScorerKind(ScorerKind.SCORER_KIND_FALLBACK)
                .setScorerName("fallback-overlap").setScorerVersion("1");
        double best = Double.NEGATIVE_INFINITY;
        int bestIndex = candidates.get(0).getIndex();
        for (Candidate c : candidates) {
            Set<String> words = PromptBuilder.contentWords(c.getText());
            double support = 0;
            for (Snippet s : evidence) {
                support = Math.max(support, PromptBuilder.overlap(words, PromptBuilder.contentWords(s.getText())));
            }
            double reward;
            if (c.getOrigin() == CandidateOrigin.CANDIDATE_ORIGIN_SEARCH_SNIPPET) {
                reward = PromptBuilder.overlap(questionWords, words);
            } else {
                reward = support + 0.1 * (c.hasMeanLogProbability() ? c.getMeanLogProbability() : -5);
            }
            if (c.getText().isBlank()) {
                reward = -100;
            }
            response.addScores(CandidateScore.newBuilder().setCandidateIndex(c.getIndex()).setReward(reward)
                    .putFeatures("evidence_overlap", support));
            if (reward > best) {
                best = reward;
                bestIndex = c.getIndex();
            }
        }
        return response.setBestCandidateIndex(bestIndex).build();
    }
}
