package org.sparrowmesh.decoder.engine.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.sparrowmesh.decoder.engine.kernels.Gaussians.gaussian;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sparrowmesh.decoder.engine.gguf.GgmlType;
import org.sparrowmesh.decoder.engine.tensor.FloatTensor;
import org.sparrowmesh.decoder.engine.tensor.Quantizer;

/**
 * The tiled Q8_0 / Q4_0 kernels: the 1 × 1 tile against the scalar reference (Σ getFloat·x in
 * double) over odd block counts, the 1 × 2, 4 × 1 and 4 × 4 tiles bit-identical to the 1 × 1 tile
 * in both layouts (rows as stored, and interleaved four by four), and a tensor's matrix product
 * over odd row counts and batch sizes bit-identical to its dot per entry (so batching never
 * changes a result), interleaved or not; the accumulators' lanes summed as a tree, four rows at
 * once on sixteen lanes the same as one at a time.
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
                float got = tiles.dot(data, 0, bytes(type), x, 5, blocks);
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
            int size = bytes(type);
            for (int blocks : new int[] {1, 2, 3, 17, 35, 64}) {
                int n = blocks * 32;
                int rows = 5; // rows 1..4 as the tile: not the first row, so the row stride matters
                MemorySegment data = MemorySegment.ofArray(Quantizer.quantize(type, gaussian(random, rows * n)));
                long rowBytes = (long) blocks * size;
                float[][] in = new float[34][];
                for (int e = 0; e < in.length; e++) {
                    in[e] = gaussian(random, n);
                }
                float[][] expected = new float[in.length][rows];
                for (int e = 0; e < in.length; e++) {
                    for (int r = 0; r < rows; r++) {
                        expected[e][r] = tiles.dot(data, r * rowBytes, size, in[e], 0, blocks);
                    }
                }
                float[] pairA = new float[rows];
                float[] pairB = new float[rows];
                tiles.row1x2(data, 2 * rowBytes, size, in[4], in[5], blocks, pairA, pairB, 2);
                assertThat(pairA[2]).as("%s 1×2 first, %d blocks", type, blocks).isEqualTo(expected[4][2]);
                assertThat(pairB[2]).as("%s 1×2 second, %d blocks", type, blocks).isEqualTo(expected[5][2]);
                float[][] out = new float[in.length][rows];
                tiles.rows4x4(data, rowBytes, size, rowBytes, in, 2, 2, blocks, out, 1); // entries 2…9: two groups
                for (int e = 2; e < 10; e++) {
                    for (int r = 1; r < 5; r++) {
                        assertThat(out[e][r]).as("%s 4×4 entry %d row %d, %d blocks", type, e, r, blocks)
                                .isEqualTo(expected[e][r]);
                    }
                }
                float[][] wide = new float[in.length][rows];
                tiles.rows4x4(data, rowBytes, size, rowBytes, in, 2, 8, blocks, wide, 1); // entries 2…33: eight groups (Q8_0 decodes first)
                for (int e = 2; e < 34; e++) {
                    for (int r = 1; r < 5; r++) {
                        assertThat(wide[e][r]).as("%s 4×4 × 8 groups entry %d row %d, %d blocks", type, e, r, blocks)
                                .isEqualTo(expected[e][r]);
                    }
                }
                float[] quadA = new float[rows];
                float[] quadB = new float[rows];
                tiles.rows4x2(data, rowBytes, size, rowBytes, in[6], in[7], blocks, quadA, quadB, 1);
                for (int r = 1; r < 5; r++) {
                    assertThat(quadA[r]).as("%s 4×2 first, row %d, %d blocks", type, r, blocks).isEqualTo(expected[6][r]);
                    assertThat(quadB[r]).as("%s 4×2 second, row %d, %d blocks", type, r, blocks).isEqualTo(expected[7][r]);
                }
                float[] column = new float[rows];
                tiles.rows4x1(data, rowBytes, size, rowBytes, in[3], blocks, column, 1);
                for (int r = 1; r < 5; r++) {
                    assertThat(column[r]).as("%s 4×1 row %d, %d blocks", type, r, blocks).isEqualTo(expected[3][r]);
                }
            }
        }
    }

    @Test
    void interleavedRowsGiveTheSameValuesAndProductsBitForBit() {
        Random random = new Random(SEED + 3);
        for (GgmlType type : TYPES) { // the types forMatmul interleaves
            for (int blocks : new int[] {1, 3, 64}) {
                int n = blocks * 32;
                int rows = 12;
                FloatTensor stored = FloatTensor.of(type, MemorySegment.ofArray(Quantizer.quantize(type, gaussian(random, rows * n))));
                FloatTensor interleaved = stored.forMatmul(n, bytes -> Arena.ofAuto().allocate(bytes, 64));
                assertThat(interleaved).as("%s is rearranged", type).isNotSameAs(stored);
                for (long i = 0; i < stored.size(); i++) {
                    assertThat(interleaved.getFloat(i)).as("%s element %d", type, i).isEqualTo(stored.getFloat(i));
                }
                float[] all = new float[rows * n];
                interleaved.dequantize(0, all, 0, all.length);
                for (int i = 0; i < all.length; i++) {
                    assertThat(all[i]).as("%s dequantized %d", type, i).isEqualTo(stored.getFloat(i));
                }
                float[] x = gaussian(random, 2 * n);
                assertThat(interleaved.dot(5L * n, x, 0, n)).as("%s row 5", type).isEqualTo(stored.dot(5L * n, x, 0, n));
                // a range over two rows goes the scalar way: Σ getFloat·x in element order, exactly
                float scalar = 0f;
                for (int i = 0; i < 2 * n; i++) {
                    scalar += stored.getFloat(5L * n + i) * x[i];
                }
                assertThat(interleaved.dot(5L * n, x, 0, 2 * n)).as("%s rows 5 and 6", type).isEqualTo(scalar);
                for (int batch : new int[] {1, 2, 3, 4, 5, 9, 21, 35, 67}) {
                    float[][] in = new float[batch][];
                    for (int b = 0; b < batch; b++) {
                        in[b] = gaussian(random, n);
                    }
                    float[][] out = new float[batch][rows];
                    interleaved.matmul(0, 8, n, in, batch, out); // two workers' shares, in groups of four
                    interleaved.matmul(8, rows, n, in, batch, out);
                    for (int b = 0; b < batch; b++) {
                        for (int r = 0; r < rows; r++) {
                            assertThat(out[b][r]).as("%s %d blocks, batch %d: entry %d row %d", type, blocks, batch, b, r)
                                    .isEqualTo(stored.dot((long) r * n, in[b], 0, n));
                        }
                    }
                }
            }
        }
    }

    @Test
    void matricesWhoseRowsDoNotGroupByFourStayAsStored() {
        for (GgmlType type : TYPES) {
            FloatTensor sixRows = FloatTensor.of(type, MemorySegment.ofArray(Quantizer.quantize(type, new float[6 * 64])));
            assertThat(sixRows.forMatmul(64, bytes -> Arena.ofAuto().allocate(bytes, 64))).isSameAs(sixRows);
            FloatTensor f32 = FloatTensor.of(GgmlType.F32, MemorySegment.ofArray(new byte[4 * 4 * 64]));
            assertThat(f32.forMatmul(64, bytes -> Arena.ofAuto().allocate(bytes, 64))).isSameAs(f32);
        }
    }

    @Test
    void matmulOverOddRowCountsAndBatchSizesEqualsDotPerEntry() {
        Random random = new Random(SEED + 2);
        int n = 96;
        for (GgmlType type : TYPES) {
            for (int rows : new int[] {1, 4, 7, 13}) {
                FloatTensor view = FloatTensor.of(type, MemorySegment.ofArray(Quantizer.quantize(type, gaussian(random, rows * n))));
                for (int batch : new int[] {1, 3, 4, 5, 9, 21}) {
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

    @Test
    void accumulatorLanesAreSummedAsATreeAndTheFourRowVectorFormAgrees() {
        // ±1e8 swallows a 1 added to it in float: in lane order the large values cancel first and the
        // eight ones survive (8); the tree adds lane j + 8 to lane j first, each one to a large value (0)
        float[] lanes = new float[16];
        for (int j = 0; j < 8; j++) {
            lanes[j] = j % 2 == 0 ? 1e8f : -1e8f;
            lanes[j + 8] = 1f;
        }
        float sequential = 0f;
        for (float v : lanes) {
            sequential += v;
        }
        float expected = (((lanes[0] + lanes[8]) + (lanes[4] + lanes[12])) + ((lanes[2] + lanes[10]) + (lanes[6] + lanes[14])))
                + (((lanes[1] + lanes[9]) + (lanes[5] + lanes[13])) + ((lanes[3] + lanes[11]) + (lanes[7] + lanes[15])));
        assertThat(expected).isNotEqualTo(sequential);
        assertThat(TileKernels.treeSum(lanes.clone(), 0, 16)).isEqualTo(expected);

        assumeThat(VectorKernels.F.length()).as("sixteen float lanes").isEqualTo(16);
        Random random = new Random(SEED);
        for (int round = 0; round < 50; round++) {
            float[] w = new float[3 + 64];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(9) - 4));
            }
            float[] out = new float[6];
            TileKernels.sumRows4(w, 3, out, 1);
            for (int r = 0; r < 4; r++) {
                assertThat(out[1 + r]).as("round %d row %d", round, r).isEqualTo(TileKernels.treeSum(w.clone(), 3 + 16 * r, 16));
            }
            assertThat(out[0]).isZero();
            assertThat(out[5]).isZero();
        }
    }

    private static int bytes(GgmlType type) {
        return type.typeSize();
    }

    private static TileKernel kernel(GgmlType type) {
        return type == GgmlType.Q8_0 ? TileKernel.VECTOR_Q8_0 : TileKernel.VECTOR_Q4_0;
    }
}
