package org.sparrowmesh.ranker.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.sparrowmesh.ranker.scoring.CandidateInput;
import org.sparrowmesh.ranker.scoring.Origin;
import org.sparrowmesh.ranker.scoring.RankInput;

/** Each rule: one candidate that triggers it, one that does not. */
class RuleBookTest {

    private final RuleBook rules = new RuleBook(Map.of(), List.of("stupid"));
    private static final List<String> EVIDENCE = List.of("LaMDA was introduced by Google in 2021 and trained on 1.56 trillion words.");

    private List<String> broken(String text, List<String> evidence) {
        RankInput input = new RankInput("Who made LaMDA?", evidence, List.of(new CandidateInput(0, text, Origin.GENERATED, null)));
        return rules.check(input, input.candidates().get(0)).stream().map(Violation::rule).toList();
    }

    @Test
    void emptyOrDegenerate() {
        assertThat(broken("", EVIDENCE)).containsExactly(RuleBook.EMPTY);
        assertThat(broken("Yes", EVIDENCE)).containsExactly(RuleBook.EMPTY);
        assertThat(broken("!!! ??? ... ### $$$ ", EVIDENCE)).containsExactly(RuleBook.EMPTY);
        assertThat(broken("Google made LaMDA.", EVIDENCE)).doesNotContain(RuleBook.EMPTY);
    }

    @Test
    void repetitionLoop() {
        assertThat(broken("the cat sat on the mat ".repeat(6), List.of())).contains(RuleBook.REPETITION);
        assertThat(broken("The cat sat on the mat while the dog slept by the warm fire in the old house.", List.of()))
                .doesNotContain(RuleBook.REPETITION);
    }

    @Test
    void unsupportedClaimsNeedEvidenceToBeJudged() {
        assertThat(broken("Google made LaMDA in 2019 with Microsoft.", EVIDENCE)).contains(RuleBook.UNSUPPORTED);
        assertThat(broken("Google made LaMDA in 2021.", EVIDENCE)).doesNotContain(RuleBook.UNSUPPORTED);
        assertThat(broken("Google made LaMDA in 2019 with Microsoft.", List.of())).doesNotContain(RuleBook.UNSUPPORTED);
    }

    @Test
    void claimsToBeHuman() {
        assertThat(broken("Honestly, I am a human and I read about it yesterday.", EVIDENCE)).contains(RuleBook.HUMAN);
        assertThat(broken("I am an AI model; Google made LaMDA.", EVIDENCE)).doesNotContain(RuleBook.HUMAN);
    }

    @Test
    void blocklist() {
        assertThat(broken("That is a stupid question about LaMDA.", EVIDENCE)).contains(RuleBook.BLOCKLIST);
        assertThat(broken("That is a stupendous question about LaMDA.", EVIDENCE)).doesNotContain(RuleBook.BLOCKLIST);
    }
}
