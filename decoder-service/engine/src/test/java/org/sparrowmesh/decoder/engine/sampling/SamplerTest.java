package org.sparrowmesh.decoder.engine.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/** Greedy choice, log-probabilities, alternatives and input checks of {@link Sampler}. */
class SamplerTest {

    private static final TokenHistory EMPTY = new TokenHistory();

    @Test
    void greedyIsTheArgMaxWithTiesToTheLowestId() {
        Sampler sampler = new Sampler(SamplingParameters.greedy(), 6);

        assertThat(sampler.sample(new float[] {1f, 3f, 0f, 3f, 2f, -1f}, EMPTY)).isEqualTo(1);
        assertThat(sampler.sample(new float[] {5f, 5f, 5f, 5f, 5f, 5f}, EMPTY)).isZero();
        assertThat(sampler.sample(new float[] {-3f, -2f, -9f, -2f, Float.NEGATIVE_INFINITY, -2.5f}, EMPTY))
                .isEqualTo(1);
        // -0.0 and 0.0 compare equal, so the lower id wins
        assertThat(sampler.sample(new float[] {-1f, -0f, 0f, -1f, -1f, -1f}, EMPTY)).isEqualTo(1);
    }

    @Test
    void greedyIgnoresTheFiltersAndTheSeed() {
        float[] logits = randomLogits(new SplittableRandom(3), 500);
        int expected = argMax(logits);
        for (long seed = 0; seed < 5; seed++) {
            SamplingParameters p = SamplingParameters.builder().temperature(0f).topK(3).topP(0.1f).minP(0.9f)
                    .seed(seed).build();
            assertThat(new Sampler(p, logits.length).sample(logits, EMPTY)).isEqualTo(expected);
        }
    }

    @Test
    void topKOneIsGreedyAtAnyTemperature() {
        long seed = 20260421L;
        SplittableRandom random = new SplittableRandom(seed);
        for (float temperature : new float[] {0.01f, 0.5f, 1f, 2f, 100f}) {
            Sampler sampler = new Sampler(SamplingParameters.builder().temperature(temperature).topK(1)
                    .seed(random.nextLong()).build(), 300);
            for (int trial = 0; trial < 50; trial++) {
                float[] logits = randomLogits(random, 300);
                if (trial % 2 == 0) {
                    // a planted tie with a higher id than the current maximum, and one below it
                    int best = argMax(logits);
                    logits[299] = logits[best];
                    logits[0] = logits[best];
                }
                assertThat(sampler.sample(logits, EMPTY))
                        .as("seed %d, temperature %s, trial %d", seed, temperature, trial)
                        .isEqualTo(argMax(logits));
            }
        }
    }

    @Test
    void theLogProbabilityIsUnderTheUnmodifiedDistribution() {
        long seed = 99;
        SplittableRandom random = new SplittableRandom(seed);
        // penalties, filters and a temperature all change what is drawn, not what is reported
        SamplingParameters p = SamplingParameters.builder().temperature(1.7f).topK(20).topP(0.9f).minP(0.01f)
                .repetitionPenalty(1.3f).frequencyPenalty(0.2f).presencePenalty(0.1f).seed(seed).build();
        Sampler sampler = new Sampler(p, 1000);
        TokenHistory history = new TokenHistory();
        for (int step = 0; step < 200; step++) {
            float[] logits = randomLogits(random, 1000);
            SampledToken token = sampler.sample(logits, history, 0);

            double expected = naiveLogSoftmax(logits, token.id());
            assertThat((double) token.logProbability()).as("seed %d, step %d", seed, step)
                    .isCloseTo(expected, within(1e-5));
            assertThat(sampler.lastLogProbability()).isEqualTo(token.logProbability());
            history.add(token.id());
        }
    }

    @Test
    void theLogProbabilityOfAGreedyTokenAfterPenaltiesIsStillTheRawOne() {
        float[] logits = {2.0f, 1.9f};
        Sampler sampler = new Sampler(SamplingParameters.builder().temperature(0f).repetitionPenalty(1.1f).build(), 2);

        // 2.0 / 1.1 = 1.818 < 1.9: the penalty turns the choice to token 1
        assertThat(sampler.sample(logits, TokenHistory.of(0))).isEqualTo(1);
        assertThat((double) sampler.lastLogProbability()).isCloseTo(naiveLogSoftmax(logits, 1), within(1e-6));
    }

    @Test
    void alternativesAreTheMostLikelyRawTokensWithTheirLogProbabilities() {
        float[] logits = {0.5f, 3f, -1f, 3f, 2f, Float.NEGATIVE_INFINITY, 2.5f};
        Sampler sampler = new Sampler(SamplingParameters.builder().temperature(0f).repetitionPenalty(5f).build(),
                logits.length);

        SampledToken token = sampler.sample(logits, TokenHistory.of(1, 3), 4);

        // the penalty made token 6 the choice; the alternatives ignore penalties
        assertThat(token.id()).isEqualTo(6);
        assertThat(token.topAlternatives()).extracting(TokenAlternative::id).containsExactly(1, 3, 6, 4);
        for (TokenAlternative alternative : token.topAlternatives()) {
            assertThat((double) alternative.logProbability())
                    .isCloseTo(naiveLogSoftmax(logits, alternative.id()), within(1e-6));
        }
        assertThat(sampler.sample(logits, EMPTY, 100).topAlternatives()).hasSize(logits.length)
                .last().extracting(TokenAlternative::id).isEqualTo(5);
        assertThat(sampler.sample(logits, EMPTY, 0).topAlternatives()).isEmpty();
    }

    @Test
    void maskedTokensAreNeverDrawn() {
        float[] logits = {0f, Float.NEGATIVE_INFINITY, 0f, Float.NEGATIVE_INFINITY};
        for (int topK : new int[] {0, 3}) {
            Sampler sampler = new Sampler(SamplingParameters.builder().temperature(1f).topK(topK).topP(1f).minP(0f)
                    .build(), 4);
            for (int i = 0; i < 2000; i++) {
                assertThat(sampler.sample(logits, EMPTY)).isIn(0, 2);
            }
        }
    }

    @Test
    void theCallersLogitsAreNotModified() {
        float[] logits = randomLogits(new SplittableRandom(5), 64);
        float[] before = logits.clone();
        SamplingParameters p = SamplingParameters.builder().repetitionPenalty(1.5f).frequencyPenalty(0.3f)
                .presencePenalty(0.2f).temperature(0.7f).build();

        new Sampler(p, 64).sample(logits, TokenHistory.of(1, 2, 3, 1), 5);

        assertThat(logits).containsExactly(before);
    }

    @Test
    void logitsNoDistributionComesFromAreRefused() {
        Sampler sampler = new Sampler(SamplingParameters.defaults(), 3);

        assertThatThrownBy(() -> sampler.sample(new float[4], EMPTY))
                .hasMessage("logits has 4 entries, the vocabulary 3");
        assertThatThrownBy(() -> sampler.sample(new float[] {0f, Float.NaN, 1f}, EMPTY))
                .hasMessageContaining("logits[1] is NaN");
        assertThatThrownBy(() -> sampler.sample(new float[] {0f, 1f, Float.POSITIVE_INFINITY}, EMPTY))
                .hasMessageContaining("logits[2] is Infinity");
        float[] masked = {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY};
        assertThatThrownBy(() -> sampler.sample(masked, EMPTY))
                .hasMessage("all 3 logits are -Infinity: no token can be chosen");
        assertThatThrownBy(() -> sampler.sample(new float[3], EMPTY, -1))
                .hasMessage("alternativeCount must be >= 0, got -1");
        assertThatThrownBy(() -> new Sampler(SamplingParameters.defaults(), 0))
                .hasMessage("vocabularySize must be > 0, got 0");
    }

    @Test
    void sampleAllocatesNothingOnceWarm() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "per-thread allocation counter needed");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());

        float[] logits = randomLogits(new SplittableRandom(11), 32_000);
        TokenHistory history = TokenHistory.of(new int[100]);
        SamplingParameters[] configurations = {
                SamplingParameters.defaults(),
                SamplingParameters.builder().topK(0).repetitionPenalty(1.1f).frequencyPenalty(0.1f).build(),
                SamplingParameters.builder().topK(0).topP(1f).minP(0f).build(),
                SamplingParameters.greedy() };
        for (SamplingParameters p : configurations) {
            Sampler sampler = new Sampler(p, logits.length);
            for (int i = 0; i < 20; i++) {
                sampler.sample(logits, history);
            }
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 200; i++) {
                sampler.sample(logits, history);
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            // one long[] or record per call would already be 3 KB and more
            assertThat(allocated).as("bytes allocated by 200 samples with %s", p).isLessThan(2048);
        }
    }

    static float[] randomLogits(SplittableRandom random, int size) {
        float[] logits = new float[size];
        for (int i = 0; i < size; i++) {
            logits[i] = (float) (random.nextGaussian() * 3);
        }
        return logits;
    }

    static int argMax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    // an independent reference: plain double arithmetic with Math, the maximum subtracted
    static double naiveLogSoftmax(float[] logits, int token) {
        double max = Double.NEGATIVE_INFINITY;
        for (float logit : logits) {
            max = Math.max(max, logit);
        }
        double sum = 0;
        for (float logit : logits) {
            sum += Math.exp(logit - max);
        }
        return logits[token] - max - Math.log(sum);
    }
}
