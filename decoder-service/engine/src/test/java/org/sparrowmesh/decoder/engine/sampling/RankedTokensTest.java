package org.sparrowmesh.decoder.engine.sampling;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

class RankedTokensTest {

    // the ranking the keys must encode: larger logit first (by float comparison, so -0.0 ties
    // with 0.0), then lower id
    private static int[] reference(float[] logits) {
        Comparator<Integer> byLogitThenId = (a, b) -> logits[a] > logits[b] ? -1 : logits[a] < logits[b] ? 1 : a - b;
        return IntStream.range(0, logits.length).boxed().sorted(byLogitThenId).mapToInt(Integer::intValue).toArray();
    }

    private static float[] awkwardLogits(SplittableRandom random, int size) {
        float[] special = {0f, -0f, Float.NEGATIVE_INFINITY, Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE,
                -Float.MIN_VALUE, 1f, -1f};
        float[] logits = new float[size];
        for (int i = 0; i < size; i++) {
            logits[i] = random.nextInt(3) == 0
                    ? special[random.nextInt(special.length)]
                    : (float) Math.rint(random.nextGaussian() * 4) / 2; // many ties
        }
        return logits;
    }

    @Test
    void sortedKeysRankByLogitThenId() {
        long seed = 2024;
        SplittableRandom random = new SplittableRandom(seed);
        for (int size : new int[] {1, 2, 13, 100, 4098}) {
            float[] logits = awkwardLogits(random, size);
            long[] keys = new long[size];
            for (int i = 0; i < size; i++) {
                keys[i] = RankedTokens.key(logits[i], i);
            }
            Arrays.sort(keys);

            int[] ranked = Arrays.stream(keys).mapToInt(RankedTokens::token).toArray();
            assertThat(ranked).as("seed %d, size %d", seed, size).containsExactly(reference(logits));
        }
    }

    @Test
    void selectTopIsThePrefixOfTheFullRanking() {
        long seed = 7;
        SplittableRandom random = new SplittableRandom(seed);
        for (int size : new int[] {1, 5, 40, 1000}) {
            float[] logits = awkwardLogits(random, size);
            int[] full = reference(logits);
            for (int count : new int[] {1, 2, 7, 40, size}) {
                if (count > size) {
                    continue;
                }
                long[] out = new long[count];
                RankedTokens.selectTop(logits, count, out);
                assertThat(Arrays.stream(out).mapToInt(RankedTokens::token).toArray())
                        .as("seed %d, size %d, count %d", seed, size, count)
                        .containsExactly(Arrays.copyOf(full, count));
            }
        }
    }
}
