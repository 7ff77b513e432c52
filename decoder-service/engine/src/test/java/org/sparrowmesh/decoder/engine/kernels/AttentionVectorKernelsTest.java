package org.sparrowmesh.decoder.engine.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.sparrowmesh.decoder.engine.kernels.Gaussians.gaussian;

import java.util.Arrays;
import java.util.Random;

import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The attention kernels on the Vector API against their scalar references in {@link ArrayKernels}
 * over odd sizes, strides and head counts, and the exponential against {@link Math#exp}.
 */
class AttentionVectorKernelsTest {

    private static final long SEED = 20261204L;
    private static final int[] HEAD_SIZES = {1, 8, 13, 16, 31, 64, 80, 128};

    @BeforeEach
    void requireVectorApi() {
        assumeThat(KernelProvider.vectorEnabled()).as("Vector API kernels enabled").isTrue();
    }

    @Test
    void scoresMatchTheScalarReference() {
        Random random = new Random(SEED);
        for (int n : HEAD_SIZES) {
            for (int count : new int[] {1, 5, 16}) {
                int stride = n + 7;
                float[] q = gaussian(random, n + 3);
                float[] keys = gaussian(random, 2 + count * stride);
                float[] expected = new float[count + 1];
                float[] got = new float[count + 1];
                ArrayKernels.scalarScores(q, 3, keys, 2, stride, count, n, 0.125f, expected, 1);
                AttentionVectorKernels.scores(q, 3, keys, 2, stride, count, n, 0.125f, got, 1);
                for (int i = 0; i <= count; i++) {
                    assertThat(got[i]).as("score %d of %d, head size %d", i, count, n)
                            .isCloseTo(expected[i], Offset.offset(1e-5f * (1 + (float) Math.sqrt(n))));
                }
            }
        }
    }

    @Test
    void softmaxMatchesTheScalarReferenceAndSumsToOne() {
        Random random = new Random(SEED + 1);
        for (int size : new int[] {1, 2, 15, 16, 17, 100, 1000, 2049}) {
            float[] x = gaussian(random, size + 3);
            for (int i = 0; i < x.length; i++) {
                x[i] *= 8f; // attention logits spread over tens: some weights vanish, a few dominate
            }
            float[] expected = x.clone();
            float[] got = x.clone();
            ArrayKernels.scalarSoftmax(expected, size);
            AttentionVectorKernels.softmax(got, size);
            double total = 0;
            for (int i = 0; i < size; i++) {
                assertThat(got[i]).as("weight %d of %d", i, size).isCloseTo(expected[i], Offset.offset(2e-6f * Math.max(1f, expected[i])));
                total += got[i];
            }
            assertThat(total).as("Σ weights of %d", size).isCloseTo(1.0, Offset.offset(1e-5));
            assertThat(Arrays.copyOfRange(got, size, size + 3)).as("past the end untouched")
                    .containsExactly(Arrays.copyOfRange(x, size, size + 3));
        }
    }

    @Test
    void exponentialIsWithinTwoUlpsOfMathExpDownToTheSmallestNormal() {
        int lanes = VectorKernels.F.length();
        float[] in = new float[lanes];
        float[] out = new float[lanes];
        Random random = new Random(SEED + 2);
        for (int round = 0; round < 20_000; round++) {
            for (int i = 0; i < lanes; i++) {
                in[i] = round == 0 && i == 0 ? 0f : -87f * random.nextFloat();
            }
            AttentionVectorKernels.exp(jdk.incubator.vector.FloatVector.fromArray(VectorKernels.F, in, 0)).intoArray(out, 0);
            for (int i = 0; i < lanes; i++) {
                float exact = (float) Math.exp(in[i]);
                assertThat(out[i]).as("e^%s", in[i]).isCloseTo(exact, Offset.offset(2 * Math.ulp(exact)));
                assertThat(AttentionVectorKernels.exp(in[i])).as("scalar e^%s", in[i]).isEqualTo(out[i]);
            }
        }
        assertThat(AttentionVectorKernels.exp(0f)).isEqualTo(1f);
        assertThat(AttentionVectorKernels.exp(-100f)).isZero();
        assertThat(AttentionVectorKernels.exp(Float.NEGATIVE_INFINITY)).isZero();
        float[] vanishing = new float[lanes];
        Arrays.fill(vanishing, Float.NEGATIVE_INFINITY);
        AttentionVectorKernels.exp(jdk.incubator.vector.FloatVector.fromArray(VectorKernels.F, vanishing, 0)).intoArray(out, 0);
        for (float e : out) {
            assertThat(e).isZero();
        }
    }

    @Test
    void weightedValuesMatchTheScalarReference() {
        Random random = new Random(SEED + 3);
        for (int n : HEAD_SIZES) {
            for (int heads : new int[] {1, 2, 3, 4, 5, 8}) {
                for (int count : new int[] {1, 7, 16}) {
                    int stride = n * 2 + 1;
                    float[][] weights = new float[heads + 2][];
                    for (int h = 0; h < weights.length; h++) {
                        weights[h] = gaussian(random, count + 4);
                    }
                    float[] values = gaussian(random, 5 + count * stride);
                    float[] start = gaussian(random, 3 + heads * n + 2);
                    float[] expected = start.clone();
                    float[] got = start.clone();
                    ArrayKernels.scalarAddWeighted(weights, 1, heads, 4, values, 5, stride, count, expected, 3, n);
                    AttentionVectorKernels.addWeighted(weights, 1, heads, 4, values, 5, stride, count, got, 3, n);
                    for (int i = 0; i < got.length; i++) {
                        assertThat(got[i]).as("element %d, %d heads of %d, %d positions", i, heads, n, count)
                                .isCloseTo(expected[i], Offset.offset(1e-5f * (1 + (float) Math.sqrt(count))));
                    }
                }
            }
        }
    }

    @Test
    void halvesDecodeExactly() {
        Random random = new Random(SEED + 4);
        for (int n : HEAD_SIZES) {
            short[] h = new short[n + 6];
            for (int i = 0; i < h.length; i++) {
                h[i] = (short) random.nextInt(); // any bit pattern: subnormals, infinities, NaNs
            }
            float[] expected = new float[n + 2];
            float[] got = new float[n + 2];
            ArrayKernels.scalarHalvesToFloats(h, 6, expected, 2, n);
            AttentionVectorKernels.halvesToFloats(h, 6, got, 2, n);
            for (int i = 0; i < got.length; i++) {
                if (Float.isNaN(expected[i])) {
                    // the hardware conversion behind Float.float16ToFloat quiets signalling NaNs
                    assertThat(got[i]).as("half %d of %d", i, n).isNaN();
                } else {
                    assertThat(Float.floatToRawIntBits(got[i])).as("half %d of %d", i, n)
                            .isEqualTo(Float.floatToRawIntBits(expected[i]));
                }
            }
        }
    }
}
