package org.sparrowmesh.decoder.engine.sampling;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

/**
 * Top-k, top-p and min-p keep exactly the expected tokens, checked both on what the sampler kept
 * and on what thousands of draws produce.
 */
class SamplerFiltersTest {

    // Probabilities in id order; ranked: 1 (.5), 3 (.25), 4 (.15), 0 (.07), 2 (.03).
    private static final float[] FIVE = logitsOf(0.07, 0.5, 0.03, 0.25, 0.15);
    // The same with a sixth, unlikely token, so that top-k 5 takes the top-k path.
    private static final float[] SIX = logitsOf(0.07, 0.5, 0.03, 0.25, 0.15, 0.001);

    private static SamplingParameters.Builder unfiltered() {
        return SamplingParameters.builder().temperature(1f).topK(0).topP(1f).minP(0f).seed(1234);
    }

    @Test
    void nothingFilteredKeepsEveryToken() {
        assertThat(kept(FIVE, unfiltered())).containsExactly(0, 1, 2, 3, 4);
        assertThat(drawn(FIVE, unfiltered())).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void topPKeepsTheSmallestPrefixReachingP() {
        // cumulative .5, .75, .9, .97, 1
        assertThat(kept(FIVE, unfiltered().topP(0.8f))).containsExactly(1, 3, 4);
        assertThat(kept(FIVE, unfiltered().topP(0.95f))).containsExactly(1, 3, 4, 0);
        assertThat(kept(FIVE, unfiltered().topP(0.3f))).containsExactly(1);
        assertThat(kept(FIVE, unfiltered().topP(0f))).containsExactly(1);

        assertThat(drawn(FIVE, unfiltered().topP(0.8f))).containsExactly(1, 3, 4);
        assertThat(drawn(FIVE, unfiltered().topP(0.95f))).containsExactly(0, 1, 3, 4);
    }

    @Test
    void minPKeepsTokensAtLeastMinPTimesTheMostLikely() {
        assertThat(kept(FIVE, unfiltered().minP(0.1f))).containsExactly(1, 3, 4, 0);   // p >= .05
        assertThat(kept(FIVE, unfiltered().minP(0.2f))).containsExactly(1, 3, 4);      // p >= .10
        assertThat(kept(FIVE, unfiltered().minP(0.6f))).containsExactly(1);            // p >= .30
        assertThat(kept(FIVE, unfiltered().minP(1f))).containsExactly(1);

        assertThat(drawn(FIVE, unfiltered().minP(0.1f))).containsExactly(0, 1, 3, 4);
        assertThat(drawn(FIVE, unfiltered().minP(0.2f))).containsExactly(1, 3, 4);
    }

    @Test
    void topPAndMinPTogetherKeepTheSmallerSet() {
        assertThat(kept(FIVE, unfiltered().topP(0.95f).minP(0.2f))).containsExactly(1, 3, 4);
        assertThat(kept(FIVE, unfiltered().topP(0.8f).minP(0.1f))).containsExactly(1, 3, 4);
        assertThat(kept(FIVE, unfiltered().topP(0.3f).minP(0.1f))).containsExactly(1);
    }

    @Test
    void topKKeepsTheKMostLikelyWithTiesToTheLowestId() {
        assertThat(kept(SIX, unfiltered().topK(3))).containsExactly(1, 3, 4);
        assertThat(drawn(SIX, unfiltered().topK(3))).containsExactly(1, 3, 4);
        assertThat(kept(new float[] {1f, 1f, 1f, 0f}, unfiltered().topK(2))).containsExactly(0, 1);
        // k at or above the vocabulary keeps everything
        assertThat(kept(FIVE, unfiltered().topK(5))).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void topPAndMinPAfterTopKGiveTheSameSetsAsWithout() {
        assertThat(kept(SIX, unfiltered().topK(5).topP(0.8f))).containsExactly(1, 3, 4);
        assertThat(kept(SIX, unfiltered().topK(5).topP(0.95f))).containsExactly(1, 3, 4, 0);
        assertThat(kept(SIX, unfiltered().topK(5).minP(0.2f))).containsExactly(1, 3, 4);
        assertThat(kept(SIX, unfiltered().topK(5).topP(0.95f).minP(0.2f))).containsExactly(1, 3, 4);
    }

    @Test
    void topPSeesTheDistributionLeftByTopK() {
        // without top-k: .5 < .6, .75 >= .6
        assertThat(kept(FIVE, unfiltered().topP(0.6f))).containsExactly(1, 3);
        // after top-k 2 the two renormalise to 2/3 and 1/3: 2/3 >= .6 already
        assertThat(kept(FIVE, unfiltered().topK(2).topP(0.6f))).containsExactly(1);
    }

    @Test
    void theFiltersSeeTheDistributionBeforeTheTemperature() {
        // llama.cpp's order puts the temperature last: it reshapes what is drawn, not what is kept
        // (at T = 0.3 first, top-p .8 would keep only token 1; at T = 3 first, min-p .2 would keep 5)
        assertThat(kept(FIVE, unfiltered().temperature(0.3f).topP(0.8f))).containsExactly(1, 3, 4);
        assertThat(kept(FIVE, unfiltered().temperature(3f).minP(0.2f))).containsExactly(1, 3, 4);
        assertThat(kept(SIX, unfiltered().temperature(3f).topK(5).minP(0.2f))).containsExactly(1, 3, 4);
    }

    @Test
    void theDefaultsCutWhereTopPOrMinPIsTighter() {
        // 40 tokens with p proportional to 40, 39, ..., 1 (sum 820). top-k 40 keeps all; min-p .05
        // keeps values >= 2 (39 tokens); top-p .95 needs the tail left out to be <= 41: the values
        // 1..8 (36) can go, 1..9 (45) cannot, so 32 tokens (cumulative .956 vs .945 for 31).
        double[] linear = new double[40];
        for (int i = 0; i < 40; i++) {
            linear[i] = (40 - i) / 820.0;
        }
        assertThat(kept(logitsOf(linear), SamplingParameters.defaults().toBuilder())).hasSize(32).startsWith(0, 1, 2);

        // one token at .5 and 39 at .5/39 each: top-p would keep 37, min-p's bar (.025) only the first
        double[] peaked = new double[40];
        peaked[0] = 0.5;
        for (int i = 1; i < 40; i++) {
            peaked[i] = 0.5 / 39;
        }
        assertThat(kept(logitsOf(peaked), SamplingParameters.defaults().toBuilder())).containsExactly(0);
        assertThat(kept(logitsOf(peaked), SamplingParameters.defaults().toBuilder().minP(0f))).hasSize(37);
    }

    private static List<Integer> kept(float[] logits, SamplingParameters.Builder parameters) {
        Sampler sampler = new Sampler(parameters.build(), logits.length);
        sampler.sample(logits, new TokenHistory());
        List<Integer> kept = new ArrayList<>();
        for (int rank = 0; rank < sampler.keptCount(); rank++) {
            kept.add(sampler.keptToken(rank));
        }
        return kept;
    }

    private static Set<Integer> drawn(float[] logits, SamplingParameters.Builder parameters) {
        Sampler sampler = new Sampler(parameters.build(), logits.length);
        Set<Integer> drawn = new TreeSet<>();
        for (int i = 0; i < 5000; i++) {
            drawn.add(sampler.sample(logits, new TokenHistory()));
        }
        return drawn;
    }

    private static float[] logitsOf(double... probabilities) {
        float[] logits = new float[probabilities.length];
        for (int i = 0; i < probabilities.length; i++) {
            logits[i] = (float) Math.log(probabilities[i]);
        }
        return logits;
    }
}
