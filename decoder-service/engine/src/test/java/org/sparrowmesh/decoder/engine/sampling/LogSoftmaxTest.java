package org.sparrowmesh.decoder.engine.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class LogSoftmaxTest {

    @Test
    void matchesANaiveReferenceOnRandomLogits() {
        long seed = 1;
        SplittableRandom random = new SplittableRandom(seed);
        for (int size : new int[] {1, 4, 13, 25, 1000, 32_000}) {
            float[] logits = SamplerTest.randomLogits(random, size);
            float[] out = new float[size];
            LogSoftmax.logSoftmax(logits, out);
            // log-softmax(x)_i = x_i - (x_j - log-softmax(x)_j) for any j: one reference pass
            double logSumExp = logits[0] - SamplerTest.naiveLogSoftmax(logits, 0);
            double maxDifference = 0;
            for (int i = 0; i < size; i++) {
                maxDifference = Math.max(maxDifference, Math.abs(out[i] - (logits[i] - logSumExp)));
            }
            assertThat(maxDifference).as("seed %d, size %d: max difference", seed, size).isLessThan(1e-5);
            assertThat((double) LogSoftmax.logProbability(logits, size / 2))
                    .isCloseTo(SamplerTest.naiveLogSoftmax(logits, size / 2), within(1e-5));
        }
    }

    @Test
    void isStableForHugeLogits() {
        // exp(10000) overflows; with the maximum subtracted it is exp(0) and exp(-1)
        float[] logits = {10_000f, 9_999f};

        assertThat(LogSoftmax.logSumExp(logits)).isCloseTo(10_000 + Math.log(1 + Math.exp(-1)), within(1e-9));
        assertThat((double) LogSoftmax.logProbability(logits, 1)).isCloseTo(-1 - Math.log(1 + Math.exp(-1)),
                within(1e-6));
    }

    @Test
    void maskedLogitsHaveZeroProbability() {
        float[] logits = {0f, Float.NEGATIVE_INFINITY, 0f};

        assertThat(LogSoftmax.logProbability(logits, 1)).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat((double) LogSoftmax.logProbability(logits, 0)).isCloseTo(Math.log(0.5), within(1e-7));
        assertThat(LogSoftmax.logSumExp(new float[] {Float.NEGATIVE_INFINITY})).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(LogSoftmax.logSumExp(new float[] {1f, Float.NaN})).isNaN();
    }
}
