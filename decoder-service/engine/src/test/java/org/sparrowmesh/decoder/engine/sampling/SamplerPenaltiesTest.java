package org.sparrowmesh.decoder.engine.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * Repetition, frequency and presence penalties change exactly the logits llama.cpp's
 * {@code llama_sampler_penalties} changes, by the hand-computed amounts.
 */
class SamplerPenaltiesTest {

    private static final float[] LOGITS = {2.0f, -1.0f, 0.5f, 0.0f, 3.0f, 1.0f};
    // counts over the whole history: token 0 three times, 1, 2, 3 and 4 once, 5 never
    private static final TokenHistory HISTORY = TokenHistory.of(4, 0, 1, 3, 0, 2, 0);

    private static float[] penalized(SamplingParameters.Builder parameters, TokenHistory history) {
        Sampler sampler = new Sampler(parameters.build(), LOGITS.length);
        return sampler.applyPenalties(LOGITS, history).clone();
    }

    @Test
    void repetitionDividesPositiveLogitsAndMultipliesTheOthers() {
        float[] result = penalized(SamplingParameters.builder().repetitionPenalty(1.5f), HISTORY);

        // 2/1.5, -1*1.5, 0.5/1.5, 0*1.5, 3/1.5, untouched
        assertThat(result).containsExactly(1.3333334f, -1.5f, 0.33333334f, 0.0f, 2.0f, 1.0f);
    }

    @Test
    void repetitionCountsOnlyTheWindow() {
        // the last 4 tokens are 3, 0, 2, 0: tokens 1 and 4 are outside
        float[] result = penalized(SamplingParameters.builder().repetitionPenalty(1.5f).repetitionWindow(4), HISTORY);

        assertThat(result).containsExactly(1.3333334f, -1.0f, 0.33333334f, 0.0f, 3.0f, 1.0f);
    }

    @Test
    void aWindowOfZeroOrANeutralPenaltyLeavesTheLogitsAlone() {
        Sampler off = new Sampler(SamplingParameters.builder().repetitionPenalty(1.5f).repetitionWindow(0).build(), 6);
        Sampler neutral = new Sampler(SamplingParameters.builder().repetitionPenalty(1f).build(), 6);

        assertThat(off.applyPenalties(LOGITS, HISTORY)).isSameAs(LOGITS);
        assertThat(neutral.applyPenalties(LOGITS, HISTORY)).isSameAs(LOGITS);
    }

    @Test
    void frequencyAndPresenceSubtractCountTimesFrequencyPlusPresence() {
        float[] result = penalized(SamplingParameters.builder().frequencyPenalty(0.5f).presencePenalty(0.25f)
                .repetitionWindow(-1), HISTORY);

        // token 0: 2 - (3*0.5 + 0.25); tokens 1-4: x - (0.5 + 0.25); token 5 untouched
        assertThat(result).containsExactly(0.25f, -1.75f, -0.25f, -0.75f, 2.25f, 1.0f);
    }

    @Test
    void repetitionComesBeforeFrequencyAndPresence() {
        float[] result = penalized(SamplingParameters.builder().repetitionPenalty(2f).frequencyPenalty(0.5f)
                .presencePenalty(0.25f), HISTORY);

        // token 0: 2/2 - 1.75; 1: -1*2 - 0.75; 2: 0.5/2 - 0.75; 3: 0*2 - 0.75; 4: 3/2 - 0.75
        assertThat(result).containsExactly(-0.75f, -2.75f, -0.5f, -0.75f, 0.75f, 1.0f);
    }

    @Test
    void negativePenaltiesRaiseSeenTokens() {
        float[] result = penalized(SamplingParameters.builder().frequencyPenalty(-1f).presencePenalty(-0.5f)
                .repetitionWindow(2), HISTORY);

        // last two tokens: 2, 0 (each once)
        assertThat(result).containsExactly(3.5f, -1.0f, 2.0f, 0.0f, 3.0f, 1.0f);
    }

    @Test
    void thePenaltiesChangeTheChoice() {
        float[] logits = {3.0f, 2.9f, -5f};
        Sampler sampler = new Sampler(SamplingParameters.builder().temperature(0f).presencePenalty(0.2f).build(), 3);

        assertThat(sampler.sample(logits, TokenHistory.of(2))).isZero();
        assertThat(sampler.sample(logits, TokenHistory.of(2, 0))).isEqualTo(1);
        // token 0 left the window of 64: no penalty again
        TokenHistory longHistory = TokenHistory.of(2, 0);
        for (int i = 0; i < 64; i++) {
            longHistory.add(2);
        }
        assertThat(sampler.sample(logits, longHistory)).isZero();
    }

    @Test
    void aTokenOutsideTheVocabularyIsRefusedAndLeavesNoCountsBehind() {
        Sampler sampler = new Sampler(SamplingParameters.builder().frequencyPenalty(1f).build(), LOGITS.length);

        assertThatThrownBy(() -> sampler.applyPenalties(LOGITS, TokenHistory.of(0, 0, 6)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("history[2] is token 6, outside the vocabulary of 6");
        assertThat(sampler.applyPenalties(LOGITS, TokenHistory.of(5)).clone())
                .containsExactly(2.0f, -1.0f, 0.5f, 0.0f, 3.0f, 0.0f);
    }
}
