package org.sparrowmesh.decoder.engine.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.sparrowmesh.decoder.engine.kernels.Gaussians.gaussian;

import java.lang.foreign.MemorySegment;
import java.util.Random;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sparrowmesh.decoder.engine.gguf.GgmlType;
import org.sparrowmesh.decoder.engine.tensor.FloatTensor;
import org.sparrowmesh.decoder.engine.tensor.Quantizer;

/**
 * The Vector API kernels against the scalar reference (Σ getFloat·x in double) over odd sizes,
 * and the ×4 forms bit-identical to the single-row forms (so batching never changes a result).
 */
class VectorKernelsTest {

    private static final long SEED = 20261124L;
    private static final int[] ODD_SIZES = {1, 4, 13, 25, 31, 33, 100, 257, 1023, 4098};

    @BeforeEach
    void requireVectorApi() {
        assumeThat(KernelProvider.vectorEnabled()).as("Vector API kernels enabled").isTrue();
    }

    @Test
    void f32MatchesTheScalarReferenceOverOddSizes() {
        Random random = new Random(SEED);
        for (int n : ODD_SIZES) {
            float[] w = gaussian(random, n);
            float[] x = gaussian(random, n + 3);
            MemorySegment data = MemorySegment.ofArray(toBytes(w));
            double[] reference = reference(w, x, 3, n);
            float got = VectorKernels.dotF32(data, 0, x, 3, n);
            assertThat((double) got).as("F32 n=%d seed %d", n, SEED).isCloseTo(reference[0], tolerance(reference[1]));
        }
    }

    @Test
    void dotRowsOfABatchEqualsDotPerEntryBitForBit() {
        Random random = new Random(SEED + 3);
        int rows = 5;
        for (GgmlType type : new GgmlType[] {GgmlType.F32, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q6_K}) {
            int n = type.blockSize() == 256 ? 256 : 96;
            byte[] bytes = type == GgmlType.F32 ? toBytes(gaussian(random, rows * n)) : Quantizer.quantize(type, gaussian(random, rows * n));
            FloatTensor view = FloatTensor.of(type, MemorySegment.ofArray(bytes));
            for (int batch : new int[] {1, 3, 4, 7, 9}) {
                float[][] in = new float[batch][];
                float[][] out = new float[batch][rows];
                for (int b = 0; b < batch; b++) {
                    in[b] = gaussian(random, n);
                }
                for (int r = 0; r < rows; r++) {
                    view.dotRows(r, n, in, batch, out);
                    for (int b = 0; b < batch; b++) {
                        assertThat(out[b][r]).as("%s row %d entry %d of %d", type, r, b, batch)
                                .isEqualTo(view.dot((long) r * n, in[b], 0, n));
                    }
                }
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

    /** Float rounding of the terms and partial sums: a few ulps of the magnitude. */
    private static org.assertj.core.data.Offset<Double> tolerance(double magnitude) {
        return org.assertj.core.data.Offset.offset(1e-6 * magnitude + 1e-30);
    }

    private static byte[] toBytes(float[] values) {
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(values.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            buffer.putFloat(v);
        }
        return buffer.array();
    }
}
