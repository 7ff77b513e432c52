package org.sparrowmesh.ranker.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.sparrowmesh.ranker.model.PreferenceModel;
import org.sparrowmesh.ranker.rules.RuleBook;

class RankerTest {

    private static final List<String> EVIDENCE = List.of(
            "LaMDA is a family of dialogue models introduced by Google in 2021.",
            "Sparrow is a dialogue agent from DeepMind trained with human feedback.");

    @Test
    void theShippedModelPrefersTheSupportedAnswerAndNeverADisqualifiedOne() throws Exception {
        Ranker ranker = new Ranker(PreferenceModel.bundled(), RuleBook.standard());
        RankInput input = new RankInput("Who introduced LaMDA and when?", EVIDENCE, List.of(
                new CandidateInput(0, "I am a human and I think it was Facebook in 2015.", Origin.GENERATED, -1.2),
                new CandidateInput(7, "LaMDA was introduced by Google in 2021.", Origin.GENERATED_WITH_EVIDENCE, -0.9),
                new CandidateInput(3, "", Origin.GENERATED, -0.1),
                new CandidateInput(4, EVIDENCE.get(0), Origin.SEARCH_SNIPPET, null)));
        RankOutcome outcome = ranker.rank(input, null);
        assertThat(outcome.bestIndex()).isIn(7, 4);
        assertThat(outcome.scores().get(0).disqualified()).isTrue();
        assertThat(outcome.scores().get(2).disqualified()).isTrue();
        assertThat(outcome.scores().get(1).reward()).isGreaterThan(outcome.scores().get(0).reward());
        // deterministic
        assertThat(ranker.rank(input, null)).isEqualTo(outcome);
        assertThat(outcome.scores().get(1).features()).containsKeys("evidence_overlap", "relevance_overlap", "log_length");
    }

    @Test
    void whenEveryCandidateIsDisqualifiedTheBestOfThemStillWins() throws Exception {
        Ranker ranker = new Ranker(PreferenceModel.bundled(), RuleBook.standard());
        RankInput input = new RankInput("Hi?", List.of(), List.of(new CandidateInput(2, "", Origin.GENERATED, null),
                new CandidateInput(5, "ok", Origin.GENERATED, null)));
        assertThat(ranker.rank(input, null).bestIndex()).isIn(2, 5);
    }
}
