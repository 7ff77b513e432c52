package org.sparrowmesh.decoder.engine.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * Sampling from logits cut to the best 64 tokens plus the whole vocabulary's log-sum-exp — what
 * a CUDA step hands back — against sampling from all the logits: same tokens where the cut keeps
 * every candidate, and the whole distribution's log-probabilities.
 */
class SamplerTruncatedLogitsTest {

    private static final int VOCABULARY = 2000;
    private static final int KEPT = 64;
    private static final TokenHistory EMPTY = new TokenHistory();

    /** The logits with all but the best {@code KEPT} set to -Infinity, as the device's step leaves them. */
    private static float[] cut(float[] logits) {
        long[] best = new long[KEPT];
        RankedTokens.selectTop(logits, KEPT, best);
        float[] cut = new float[logits.length];
        java.util.Arrays.fill(cut, Float.NEGATIVE_INFINITY);
        for (long key : best) {
            int token = RankedTokens.token(key);
            cut[token] = logits[token];
        }
        return cut;
    }

    /** log Σ exp over every logit, from the independent reference log-softmax. */
    private static double logSumExp(float[] logits) {
        return logits[0] - SamplerTest.naiveLogSoftmax(logits, 0);
    }

    @Test
    void greedyAndTopKWithinTheCutChooseAsWithAllLogitsAndReportTheWholeDistributionsLogProbabilities() {
        SplittableRandom random = new SplittableRandom(7);
        SamplingParameters[] settings = {
                SamplingParameters.greedy(),
                SamplingParameters.builder().temperature(0.8f).topK(40).seed(11).build(),
                SamplingParameters.builder().temperature(1.2f).topK(64).topP(0.9f).seed(12).build(),
        };
        for (SamplingParameters p : settings) {
            Sampler full = new Sampler(p, VOCABULARY);
            Sampler truncated = new Sampler(p, VOCABULARY);
            for (int trial = 0; trial < 100; trial++) {
                float[] logits = SamplerTest.randomLogits(random, VOCABULARY);
                float[] cut = cut(logits);
                SampledToken expected = full.sample(logits, EMPTY, 5);
                SampledToken got = truncated.sample(cut, logSumExp(logits), EMPTY, 5);
                assertThat(got.id()).as("%s, trial %d", p, trial).isEqualTo(expected.id());
                assertThat((double) got.logProbability()).isCloseTo(expected.logProbability(), within(1e-5));
                for (int rank = 0; rank < 5; rank++) {
                    assertThat(got.topAlternatives().get(rank).id()).isEqualTo(expected.topAlternatives().get(rank).id());
                    assertThat((double) got.topAlternatives().get(rank).logProbability())
                            .isCloseTo(expected.topAlternatives().get(rank).logProbability(), within(1e-5));
                }
            }
        }
    }

    @Test
    void withoutTheLogSumExpTheCutWouldOverstateTheChosenTokensProbability() {
        float[] logits = SamplerTest.randomLogits(new SplittableRandom(3), VOCABULARY);
        float[] cut = cut(logits);
        Sampler sampler = new Sampler(SamplingParameters.greedy(), VOCABULARY);
        int token = sampler.sample(cut, Double.NaN, EMPTY);
        float normalisedOverTheCut = sampler.lastLogProbability();
        sampler.sample(cut, logSumExp(logits), EMPTY);
        assertThat(sampler.lastLogProbability()).isLessThan(normalisedOverTheCut);
        assertThat((double) sampler.lastLogProbability()).isCloseTo(SamplerTest.naiveLogSoftmax(logits, token), within(1e-5));
    }

    @Test
    void onlyTheTokensThatCameBackCanBeDrawn() {
        SplittableRandom random = new SplittableRandom(5);
        Sampler sampler = new Sampler(SamplingParameters.builder().temperature(5f).seed(1).build(), VOCABULARY);
        for (int trial = 0; trial < 200; trial++) {
            float[] logits = SamplerTest.randomLogits(random, VOCABULARY);
            float[] cut = cut(logits);
            int token = sampler.sample(cut, logSumExp(logits), EMPTY);
            assertThat(cut[token]).isFinite();
        }
    }
}
