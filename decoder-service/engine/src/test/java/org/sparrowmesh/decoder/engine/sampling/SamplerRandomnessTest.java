package org.sparrowmesh.decoder.engine.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/** The seeded draw: reproducible, seed-sensitive, and distributed as softmax(logits / T). */
class SamplerRandomnessTest {

    private static SamplingParameters.Builder unfiltered() {
        return SamplingParameters.builder().topK(0).topP(1f).minP(0f);
    }

    private static int[] draws(SamplingParameters parameters, float[] logits, int count, int sampleIndex) {
        Sampler sampler = new Sampler(parameters, logits.length, sampleIndex);
        TokenHistory history = new TokenHistory();
        int[] tokens = new int[count];
        for (int i = 0; i < count; i++) {
            tokens[i] = sampler.sample(logits, history);
        }
        return tokens;
    }

    @Test
    void theSameSeedGivesTheSameTokensAndAnotherSeedOthers() {
        long seed = 77;
        float[] logits = SamplerTest.randomLogits(new SplittableRandom(seed), 2000);
        for (SamplingParameters base : new SamplingParameters[] {
                SamplingParameters.defaults(), unfiltered().temperature(1.3f).build() }) {
            int[] first = draws(base.withSeed(seed), logits, 500, 0);
            int[] again = draws(base.withSeed(seed), logits, 500, 0);
            int[] other = draws(base.withSeed(seed + 1), logits, 500, 0);

            assertThat(again).as("seed %d, %s", seed, base).containsExactly(first);
            int differences = 0;
            for (int i = 0; i < first.length; i++) {
                differences += first[i] != other[i] ? 1 : 0;
            }
            assertThat(differences).as("positions where seeds %d and %d differ", seed, seed + 1)
                    .isGreaterThan(first.length / 2);
        }
    }

    @Test
    void theSequenceOfAFixedSeedIsPinned() {
        // Golden: recorded once; any change of generator, draw or ranking shows up here first.
        float[] logits = {0.1f, 1.2f, -0.3f, 0.8f, 2.0f, 0.0f, -1.5f, 1.0f};
        int[] unfilteredTokens = draws(unfiltered().temperature(1f).seed(42).build(), logits, 24, 0);
        int[] defaultTokens = draws(SamplingParameters.defaults().withSeed(42), logits, 24, 0);

        assertThat(unfilteredTokens).containsExactly(UNFILTERED_GOLDEN);
        assertThat(defaultTokens).containsExactly(DEFAULTS_GOLDEN);

        // and both agree with the reference draw: by hand, the defaults keep ranks 4 1 7 3 0 5 2
        // (p .395 .177 .145 .119 .059 .053 .040: cumulative .949 before token 2, .988 with it;
        // token 6, p .012, is under min-p's bar of .05 * .395 and outside top-p)
        assertThat(UNFILTERED_GOLDEN).containsExactly(referenceDraws(logits, new int[] {0, 1, 2, 3, 4, 5, 6, 7}, 8, 1f, 42, 24));
        assertThat(DEFAULTS_GOLDEN).containsExactly(referenceDraws(logits, new int[] {4, 1, 7, 3, 0, 5, 2}, 7, 0.8f, 42, 24));
    }

    private static final int[] UNFILTERED_GOLDEN = {4, 1, 3, 3, 0, 7, 1, 5, 3, 4, 1, 4, 4, 4, 4, 1, 1, 4, 1, 4, 7, 1, 4, 4};
    private static final int[] DEFAULTS_GOLDEN = {7, 4, 4, 4, 4, 3, 4, 3, 4, 1, 4, 1, 1, 1, 7, 4, 4, 1, 4, 7, 5, 4, 1, 1};

    @Test
    void theGeneratorIsSplitMix64() {
        // SplittableRandom's javadoc promises equal sequences only "in the same program"; this pins
        // it to the published SplitMix64 (Steele, Lea, Flood 2014; Vigna's splitmix64.c).
        assertThat(new SplittableRandom(0).nextLong()).isEqualTo(0xe220a8397b1dcdafL);
        for (long seed : new long[] {0, 1, 42, -7, Long.MAX_VALUE}) {
            SplittableRandom random = new SplittableRandom(seed);
            long state = seed;
            for (int i = 0; i < 100; i++) {
                state += 0x9e3779b97f4a7c15L;
                long z = state;
                z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
                z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
                assertThat(random.nextLong()).as("seed %d, value %d", seed, i).isEqualTo(z ^ (z >>> 31));
            }
        }
    }

    @Test
    void frequenciesOfManyDrawsMatchTheSoftmaxAtTheTemperature() {
        long seed = 8_675_309L;
        float[] logits = {1.0f, 2.0f, 0.5f, -1.0f};

        // all four tokens at T = 0.7
        assertFrequencies(unfiltered().temperature(0.7f).seed(seed).build(), logits, softmax(logits, 0.7, 4), seed);
        // temperature after top-k: the best three renormalised at T = 1.5, token 3 never
        assertFrequencies(unfiltered().temperature(1.5f).topK(3).seed(seed).build(), logits,
                softmax(logits, 1.5, 3), seed);
    }

    private static void assertFrequencies(SamplingParameters parameters, float[] logits, double[] expected, long seed) {
        int draws = 100_000;
        int[] counts = new int[logits.length];
        for (int token : draws(parameters, logits, draws, 0)) {
            counts[token]++;
        }
        for (int token = 0; token < logits.length; token++) {
            // 0.004 is under 3 standard deviations for every p here (the largest, at p = .73, is .0014)
            assertThat((double) counts[token] / draws)
                    .as("frequency of token %d, seed %d, %s", token, seed, parameters)
                    .isCloseTo(expected[token], within(0.004));
        }
    }

    // softmax(logits / T) over the `kept` largest logits (the test's logits are ranked 1, 0, 2, 3)
    private static double[] softmax(float[] logits, double temperature, int kept) {
        int[] ranked = {1, 0, 2, 3};
        double[] p = new double[logits.length];
        double sum = 0;
        for (int rank = 0; rank < kept; rank++) {
            p[ranked[rank]] = Math.exp(logits[ranked[rank]] / temperature);
            sum += p[ranked[rank]];
        }
        for (int token = 0; token < p.length; token++) {
            p[token] /= sum;
        }
        return p;
    }

    @Test
    void eachSampleOfARequestHasItsOwnStream() {
        long seed = 5;
        float[] logits = SamplerTest.randomLogits(new SplittableRandom(seed), 1000);
        SamplingParameters parameters = unfiltered().temperature(1f).seed(seed).build();

        assertThat(Sampler.sampleSeed(seed, 0)).isEqualTo(seed);
        assertThat(draws(parameters, logits, 200, 0)).containsExactly(draws(parameters, logits, 200, 0));
        assertThat(draws(parameters, logits, 200, 3)).containsExactly(draws(parameters, logits, 200, 3));
        assertThat(draws(parameters, logits, 200, 1)).isNotEqualTo(draws(parameters, logits, 200, 0));
        assertThat(draws(parameters, logits, 200, 2)).isNotEqualTo(draws(parameters, logits, 200, 1));

        Set<Long> seeds = new HashSet<>();
        for (int sample = 0; sample < 16; sample++) {
            seeds.add(Sampler.sampleSeed(seed, sample));
        }
        assertThat(seeds).hasSize(16);
    }

    @Test
    void eachTokenIsTheInverseCdfOfTheNextSplitMix64Value() {
        // A reference of the draw as documented: u = top 53 bits of the next nextLong(), one per
        // token whatever the filters keep; the first kept token (ranked, or in id order when
        // nothing is filtered) whose cumulative weight exceeds u * total.
        long seed = 31;
        float[] logits = SamplerTest.randomLogits(new SplittableRandom(seed), 50);
        int[] byRank = new int[50];
        Integer[] order = new Integer[50];
        for (int i = 0; i < 50; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> logits[a] != logits[b] ? Float.compare(logits[b], logits[a]) : a - b);
        for (int i = 0; i < 50; i++) {
            byRank[i] = order[i];
        }
        int[] byId = new int[50];
        for (int i = 0; i < 50; i++) {
            byId[i] = i;
        }

        assertThat(draws(unfiltered().temperature(0.9f).seed(seed).build(), logits, 300, 0))
                .containsExactly(referenceDraws(logits, byId, 50, 0.9f, seed, 300));
        assertThat(draws(unfiltered().temperature(0.9f).topK(7).seed(seed).build(), logits, 300, 0))
                .containsExactly(referenceDraws(logits, byRank, 7, 0.9f, seed, 300));
    }

    private static int[] referenceDraws(float[] logits, int[] order, int kept, float temperature, long seed, int count) {
        SplittableRandom random = new SplittableRandom(seed);
        float top = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < kept; i++) {
            top = Math.max(top, logits[order[i]] / temperature);
        }
        double[] weights = new double[kept];
        double total = 0;
        for (int i = 0; i < kept; i++) {
            weights[i] = StrictMath.exp((double) (logits[order[i]] / temperature) - top);
            total += weights[i];
        }
        int[] tokens = new int[count];
        for (int n = 0; n < count; n++) {
            double target = ((random.nextLong() >>> 11) * 0x1.0p-53) * total;
            double cumulative = 0;
            int i = 0;
            while ((cumulative += weights[i]) <= target) {
                i++;
            }
            tokens[n] = order[i];
        }
        return tokens;
    }
}
