package org.sparrowmesh.decoder.engine.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.sparrowmesh.decoder.engine.kernels.Gaussians.gaussian;

import java.lang.foreign.MemorySegment;
import java.util.Random;

import org.assertj.core.data.Offset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sparrowmesh.decoder.engine.gguf.GgmlType;
import org.sparrowmesh.decoder.engine.tensor.FloatTensor;
import org.sparrowmesh.decoder.engine.tensor.Quantizer;

/**
 * The Vector API kernels of the k-quants (Q6_K, Q4_K, Q5_K) and of F16 and BF16 weights against
 * the scalar reference Σ getFloat(i)·x[i] in double, their ×4 forms bit-identical to four single
 * rows, and {@link FloatTensor#dotRows} bit-identical to {@link FloatTensor#dot} per batch entry.
 */
class KQuantVectorKernelsTest {

    private static final long SEED = 20261124L;
    private static final int[] ROW_SIZES = {256, 512, 2048};

    /** Single-row and four-row forms of one type's kernel over a whole row of n values. */
    private interface Kernel {
        float dot(MemorySegment data, float[] x, int xOffset, int n);

        void dot4(MemorySegment data, float[] x0, float[] x1, float[] x2, float[] x3, int xOffset, int n, float[] out);
    }

    private static Kernel kernel(GgmlType type) {
        return switch (type) {
            case Q6_K -> blocks(RowKernel.VECTOR_Q6_K);
            case Q4_K -> blocks(RowKernel.VECTOR_Q4_K);
            case Q5_K -> blocks(RowKernel.VECTOR_Q5_K);
            case F16 -> new Kernel() {
                @Override
                public float dot(MemorySegment data, float[] x, int xOffset, int n) {
                    return HalfVectorKernels.dotF16(data, 0, x, xOffset, n);
                }

                @Override
                public void dot4(MemorySegment data, float[] x0, float[] x1, float[] x2, float[] x3, int xOffset, int n,
                        float[] out) {
                    HalfVectorKernels.dotF16x4(data, 0, x0, x1, x2, x3, xOffset, n, out);
                }
            };
            case BF16 -> new Kernel() {
                @Override
                public float dot(MemorySegment data, float[] x, int xOffset, int n) {
                    return HalfVectorKernels.dotBF16(data, 0, x, xOffset, n);
                }

                @Override
                public void dot4(MemorySegment data, float[] x0, float[] x1, float[] x2, float[] x3, int xOffset, int n,
                        float[] out) {
                    HalfVectorKernels.dotBF16x4(data, 0, x0, x1, x2, x3, xOffset, n, out);
                }
            };
            default -> throw new AssertionError(type);
        };
    }

    private static Kernel blocks(RowKernel k) {
        return new Kernel() {
            @Override
            public float dot(MemorySegment data, float[] x, int xOffset, int n) {
                return k.dot(data, 0, x, xOffset, n / 256);
            }

            @Override
            public void dot4(MemorySegment data, float[] x0, float[] x1, float[] x2, float[] x3, int xOffset, int n,
                    float[] out) {
                k.dot4(data, 0, x0, x1, x2, x3, xOffset, n / 256, out);
            }
        };
    }

    private static void requireVectorApi() {
        assumeThat(KernelProvider.vectorEnabled()).as("Vector API kernels enabled").isTrue();
        assumeThat(KQuantVectorKernels.supported()).as("at most 16 float lanes").isTrue();
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q6_K", "Q4_K", "Q5_K", "F16", "BF16"})
    void kernelMatchesTheScalarReferenceAndItsFourRowForm(GgmlType type) {
        requireVectorApi();
        Random random = new Random(SEED + type.ordinal());
        Kernel kernel = kernel(type);
        for (int n : ROW_SIZES) {
            byte[] bytes = Quantizer.quantize(type, gaussian(random, n));
            MemorySegment data = MemorySegment.ofArray(bytes);
            FloatTensor view = FloatTensor.of(type, data);
            float[] w = new float[n];
            for (int i = 0; i < n; i++) {
                w[i] = view.getFloat(i);
            }
            float[][] x = new float[4][];
            float[] single = new float[4];
            for (int b = 0; b < 4; b++) {
                x[b] = gaussian(random, n + 5);
                single[b] = kernel.dot(data, x[b], 5, n);
                double[] reference = reference(w, x[b], 5, n);
                assertThat((double) single[b]).as("%s n=%d seed %d", type, n, SEED + type.ordinal())
                        .isCloseTo(reference[0], tolerance(reference[1]));
                assertThat(view.dot(0, x[b], 5, n)).as("%s tensor dot n=%d", type, n).isEqualTo(single[b]);
            }
            float[] four = new float[4];
            kernel.dot4(data, x[0], x[1], x[2], x[3], 5, n, four);
            assertThat(four).as("%s ×4 equals single, n=%d", type, n).containsExactly(single);
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F16", "BF16"})
    void halfKernelsHandleLengthsThatAreNotWholeVectors(GgmlType type) {
        requireVectorApi();
        Random random = new Random(SEED + 7 + type.ordinal());
        Kernel kernel = kernel(type);
        for (int n : new int[] {1, 4, 13, 25, 31, 33, 100, 257, 1023, 4098}) {
            byte[] bytes = Quantizer.quantize(type, gaussian(random, n));
            MemorySegment data = MemorySegment.ofArray(bytes);
            FloatTensor view = FloatTensor.of(type, data);
            float[] w = new float[n];
            for (int i = 0; i < n; i++) {
                w[i] = view.getFloat(i);
            }
            float[][] x = new float[4][];
            float[] single = new float[4];
            for (int b = 0; b < 4; b++) {
                x[b] = gaussian(random, n + 1);
                single[b] = kernel.dot(data, x[b], 1, n);
                double[] reference = reference(w, x[b], 1, n);
                assertThat((double) single[b]).as("%s n=%d", type, n).isCloseTo(reference[0], tolerance(reference[1]));
            }
            float[] four = new float[4];
            kernel.dot4(data, x[0], x[1], x[2], x[3], 1, n, four);
            assertThat(four).as("%s ×4 equals single, n=%d", type, n).containsExactly(single);
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q6_K", "Q4_K", "Q5_K", "F16", "BF16"})
    void dotRowsOfABatchEqualsDotPerEntryBitForBit(GgmlType type) {
        Random random = new Random(SEED + 3 + type.ordinal());
        int rows = 3;
        for (int n : ROW_SIZES) {
            byte[] bytes = Quantizer.quantize(type, gaussian(random, rows * n));
            FloatTensor view = FloatTensor.of(type, MemorySegment.ofArray(bytes));
            for (int batch : new int[] {1, 3, 4, 7, 9, 16}) {
                float[][] in = new float[batch][];
                float[][] out = new float[batch][rows];
                for (int b = 0; b < batch; b++) {
                    in[b] = gaussian(random, n);
                }
                for (int r = 0; r < rows; r++) {
                    view.dotRows(r, n, in, batch, out);
                    for (int b = 0; b < batch; b++) {
                        assertThat(out[b][r]).as("%s n=%d row %d entry %d of %d", type, n, r, b, batch)
                                .isEqualTo(view.dot((long) r * n, in[b], 0, n));
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F16", "BF16"})
    void halfKernelsDecodeSpecialValuesExactly(GgmlType type) {
        requireVectorApi();
        // every 16-bit pattern once, in a vector of zeros (each lane in turn) times a vector of ones:
        // zeros, subnormals, normals, infinities and NaNs of both signs
        int step = VectorKernels.F.length();
        byte[] bytes = new byte[2 * step];
        MemorySegment data = MemorySegment.ofArray(bytes);
        FloatTensor view = FloatTensor.of(type, data);
        Kernel kernel = kernel(type);
        float[] ones = new float[step];
        java.util.Arrays.fill(ones, 1f);
        for (int bits = 0; bits < 65536; bits++) {
            java.util.Arrays.fill(bytes, (byte) 0);
            int lane = bits % step;
            bytes[2 * lane] = (byte) bits;
            bytes[2 * lane + 1] = (byte) (bits >>> 8);
            float expected = view.getFloat(lane);
            float got = kernel.dot(data, ones, 0, step);
            if (Float.isNaN(expected)) {
                assertThat(got).as("%s bits %04x", type, bits).isNaN();
            } else {
                assertThat(got == expected).as("%s bits %04x: got %s expected %s", type, bits, got, expected).isTrue();
            }
        }
    }

    /** {Σ w·x, Σ |w·x|} in double. */
    private static double[] reference(float[] w, float[] x, int xOffset, int n) {
        double sum = 0;
        double magnitude = 0;
        for (int i = 0; i < n; i++) {
            double term = (double) w[i] * x[xOffset + i];
            sum += term;
            magnitude += Math.abs(term);
        }
        return new double[] {sum, magnitude};
    }

    private static Offset<Double> tolerance(double magnitude) {
        return Offset.offset(1e-6 * magnitude + 1e-30);
    }
}
