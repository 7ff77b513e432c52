package org.sparrowmesh.decoder.engine.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.lang.foreign.MemorySegment;
import java.util.Random;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sparrowmesh.decoder.engine.gguf.GgmlType;
import org.sparrowmesh.decoder.engine.tensor.FloatTensor;
import org.sparrowmesh.decoder.engine.tensor.Quantizer;

/**
 * The tiled Q8_0 / Q4_0 kernels: the 1 × 1 tile against the scalar reference (Σ getFloat·x in
 * double) over odd block counts, the 1 × 2 and 4 × 4 tiles bit-identical to the 1 × 1 tile, and a
 * tensor's matrix product over odd row counts and batch sizes bit-identical to its dot per entry
 * (so batching never changes a result).
 */
class TileKernelsTest {

    private static final long SEED = 20261202L;
    private static final GgmlType[] TYPES = {GgmlType.Q8_0, GgmlType.Q4_0};

    @BeforeEach
    void requireVectorApi() {
        assumeThat(KernelProvider.vectorEnabled()).as("Vector API kernels enabled").isTrue();
    }

    @Test
    void oneByOneMatchesTheScalarReferenceOverOddBlockCounts() {
        Random random = new Random(SEED);
        for (GgmlType type : TYPES) {
            TileKernel tiles = kernel(type);
            for (int blocks : new int[] {1, 2, 3, 7, 64, 176}) {
                int n = blocks * 32;
                MemorySegment data = MemorySegment.ofArray(Quantizer.quantize(type, gaussian(random, n)));
                FloatTensor view = FloatTensor.of(type, data);
                float[] x = gaussian(random, n + 5);
                double sum = 0;
                double magnitude = 0;
                for (int i = 0; i < n; i++) {
                    double term = (double) view.getFloat(i) * x[5 + i];
                    sum += term;
                    magnitude += Math.abs(term);
                }
                float got = tiles.dot(data, 0, x, 5, blocks);
                assertThat((double) got).as("%s n=%d seed %d", type, n, SEED)
                        .isCloseTo(sum, org.assertj.core.data.Offset.offset(1e-6 * magnitude + 1e-30));
            }
        }
    }

    @Test
    void fourRowTilesEqualTheOneByOneTileBitForBit() {
        Random random = new Random(SEED + 1);
        for (GgmlType type : TYPES) {
            TileKernel tiles = kernel(type);
            for (int blocks : new int[] {1, 2, 3, 17, 35, 64}) {
                int n = blocks * 32;
                int rows = 5; // rows 1..4 as the tile: not the first row, so the row stride matters
                MemorySegment data = MemorySegment.ofArray(Quantizer.quantize(type, gaussian(random, rows * n)));
                float[][] in = new float[6][];
                for (int e = 0; e < in.length; e++) {
                    in[e] = gaussian(random, n);
                }
                float[][] expected = new float[in.length][rows];
                for (int e = 0; e < in.length; e++) {
                    for (int r = 0; r < rows; r++) {
                        expected[e][r] = tiles.dot(data, (long) r * blocks, in[e], 0, blocks);
                    }
                }
                float[] pairA = new float[rows];
                float[] pairB = new float[rows];
                tiles.row1x2(data, 2L * blocks, in[4], in[5], blocks, pairA, pairB, 2);
                assertThat(pairA[2]).as("%s 1×2 first, %d blocks", type, blocks).isEqualTo(expected[4][2]);
                assertThat(pairB[2]).as("%s 1×2 second, %d blocks", type, blocks).isEqualTo(expected[5][2]);
                float[][] out = new float[in.length][rows];
                tiles.rows4x4(data, blocks, blocks, in, 2, blocks, out, 1);
                for (int e = 2; e < 6; e++) {
                    for (int r = 1; r < 5; r++) {
                        assertThat(out[e][r]).as("%s 4×4 entry %d row %d, %d blocks", type, e, r, blocks)
                                .isEqualTo(expected[e][r]);
                    }
                }
            }
        }
    }

    @Test
    void matmulOverOddRowCountsAndBatchSizesEqualsDotPerEntry() {
        Random random = new Random(SEED + 2);
        int n = 96;
        for (GgmlType type : TYPES) {
            for (int rows : new int[] {1, 4, 7, 13}) {
                FloatTensor view = FloatTensor.of(type, MemorySegment.ofArray(Quantizer.quantize(type, gaussian(random, rows * n))));
                for (int batch : new int[] {1, 3, 4, 5, 9}) {
                    float[][] in = new float[batch][];
                    for (int b = 0; b < batch; b++) {
                        in[b] = gaussian(random, n + 7); // longer than a row, as the pass's scratch rows are
                    }
                    float[][] out = new float[batch][rows];
                    // two calls over a split of the rows, as two workers would make
                    int split = rows / 2;
                    view.matmul(0, split, n, in, batch, out);
                    view.matmul(split, rows, n, in, batch, out);
                    for (int b = 0; b < batch; b++) {
                        for (int r = 0; r < rows; r++) {
                            assertThat(out[b][r]).as("%s %d rows, batch %d: entry %d row %d", type, rows, batch, b, r)
                                    .isEqualTo(view.dot((long) r * n, in[b], 0, n));
                        }
                    }
                }
            }
        }
    }

    private static TileKernel kernel(GgmlType type) {
        return type == GgmlType.Q8_0 ? TileKernel.VECTOR_Q8_0 : TileKernel.VECTOR_Q4_0;
    }

    private static float[] gaussian(Random random, int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }
}
