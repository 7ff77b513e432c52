package org.sparrowmesh.decoder.engine.kernels;

import java.lang.foreign.MemorySegment;

/**
 * The register-tiled matrix product of one block-quantized weight type ({@link TileKernels}):
 * four rows against four activation rows (several groups of four per call), four rows against two
 * or one, and one row against two or one for the leftovers of rows stored as in GGUF. Every shape adds in the same order per (row, activation) pair, so results
 * never depend on the batch a sequence is in. A row's first block is at byte {@code rowAt}, its
 * blocks {@code blockStride} bytes apart, a tile's rows {@code rowStride} bytes apart.
 */
public interface TileKernel {

    /** One row against x[xOffset…], over {@code blocks} blocks. */
    float dot(MemorySegment data, long rowAt, long blockStride, float[] x, int xOffset, int blocks);

    /** Row {@code row} against x0 and x1: into out0[row], out1[row]. */
    void row1x2(MemorySegment data, long rowAt, long blockStride, float[] x0, float[] x1, int blocks, float[] out0,
            float[] out1, int row);

    /** Rows row…row+3 against x0 and x1: into out0[row…row+3], out1[row…row+3]. */
    void rows4x2(MemorySegment data, long rowAt, long blockStride, long rowStride, float[] x0, float[] x1, int blocks,
            float[] out0, float[] out1, int row);

    /** Rows row…row+3 against x: into out[row…row+3]. */
    void rows4x1(MemorySegment data, long rowAt, long blockStride, long rowStride, float[] x, int blocks, float[] out,
            int row);

    /** Rows row…row+3 against in[e…e + 4·groups), four entries at a time: into out[e + i][row…row+3]. */
    void rows4x4(MemorySegment data, long rowAt, long blockStride, long rowStride, float[][] in, int e, int groups,
            int blocks, float[][] out, int row);

    /**
     * How many groups of four entries a caller should hand one {@link #rows4x4} call: more than 1
     * where the call can decode the rows once for all its groups (Q4_0 always, Q8_0 from eight
     * groups on): {@link #GROUPS_PER_DECODE}. (Q8_0 decoded once to floats for four groups
     * measured slower than its register tile: n = 8 62.7 → 48.5 tokens/s, n = 16 74.2 → 67.6.)
     */
    default int groupsPerCall() {
        return 1;
    }

    /**
     * Groups per call where rows are decoded once for all of them: 16, so a 64-entry prompt chunk
     * (the bench's and the CLI's batch capacity) decodes each row once. Its activations (512 KB at
     * 2048 wide, 1.4 MB at ffn_down's 5632) outgrow a 1 MiB L2 for one matrix, and it still measured
     * faster than 8 groups (720 KB at most): prefill 512 alternating, Q4_0 70.5 / 72.4 → 73.3 / 74.1
     * tokens/s, Q8_0 66.0 / 66.6 → 71.1 / 69.5.
     */
    int GROUPS_PER_DECODE = 16;

    /**
     * From this many groups in one call (a prompt chunk) Q8_0's four rows are decoded once to
     * floats rather than converted in registers for every group: prefill 512 ran 61.3 / 62.5
     * tokens/s in register tiles against 68.6 / 69.5 decoded (same host, alternating). With two or
     * four groups (8 or 16 samples) the register tile stays faster (one core, 5632 × 2048: n = 8 2.7
     * against 3.5 ms, n = 16 5.3 against 5.8–6.5 ms).
     */
    int Q8_0_DECODED_GROUPS = 8;

    /**
     * The fewest groups of four entries worth a {@link #rows4x4} call; fewer entries go in pairs
     * ({@link #rows4x2}). 2 for Q4_0, whose 4 × 4 tile decodes to floats first, which pays only when
     * shared by enough entries: four sequences ran slower than two with one group (38.1 against 48.4
     * tokens/s). Eight ran 57.8 with two groups against 64.7 in pairs while the decode went row by
     * row; with the four rows decoded in one loop, two groups won (43.0 / 42.8 in pairs against
     * 46.3 / 48.3 tokens/s, decode after a 512-token prompt, same host back to back).
     */
    default int fewestGroups() {
        return 1;
    }

    /** Q8_0. Touch only when {@link KernelProvider#vectorEnabled()}. */
    TileKernel VECTOR_Q8_0 = new TileKernel() {
        @Override
        public float dot(MemorySegment data, long rowAt, long blockStride, float[] x, int xOffset, int blocks) {
            return TileKernels.dotQ8_0(data, rowAt, blockStride, x, xOffset, blocks);
        }

        @Override
        public void row1x2(MemorySegment data, long rowAt, long blockStride, float[] x0, float[] x1, int blocks,
                float[] out0, float[] out1, int row) {
            TileKernels.q8_0Row1x2(data, rowAt, blockStride, x0, x1, blocks, out0, out1, row);
        }

        @Override
        public void rows4x2(MemorySegment data, long rowAt, long blockStride, long rowStride, float[] x0, float[] x1,
                int blocks, float[] out0, float[] out1, int row) {
            TileKernels.q8_0Rows4x2(data, rowAt, blockStride, rowStride, x0, x1, blocks, out0, out1, row);
        }

        @Override
        public void rows4x1(MemorySegment data, long rowAt, long blockStride, long rowStride, float[] x, int blocks,
                float[] out, int row) {
            TileKernels.q8_0Rows4x1(data, rowAt, blockStride, rowStride, x, blocks, out, row);
        }

        @Override
        public void rows4x4(MemorySegment data, long rowAt, long blockStride, long rowStride, float[][] in, int e,
                int groups, int blocks, float[][] out, int row) {
            if (groups >= Q8_0_DECODED_GROUPS) {
                TileKernels.q8_0Rows4x4Decoded(data, rowAt, blockStride, rowStride, in, e, groups, blocks, out, row);
                return;
            }
            for (int g = 0; g < groups; g++) {
                TileKernels.q8_0Rows4x4(data, rowAt, blockStride, rowStride, in, e + 4 * g, blocks, out, row);
            }
        }

        @Override
        public int groupsPerCall() {
            return GROUPS_PER_DECODE;
        }
    };

    /** Q4_0. Touch only when {@link KernelProvider#vectorEnabled()}. */
    TileKernel VECTOR_Q4_0 = new TileKernel() {
        @Override
        public float dot(MemorySegment data, long rowAt, long blockStride, float[] x, int xOffset, int blocks) {
            return TileKernels.dotQ4_0(data, rowAt, blockStride, x, xOffset, blocks);
        }

        @Override
        public void row1x2(MemorySegment data, long rowAt, long blockStride, float[] x0, float[] x1, int blocks,
                float[] out0, float[] out1, int row) {
            TileKernels.q4_0Row1x2(data, rowAt, blockStride, x0, x1, blocks, out0, out1, row);
        }

        @Override
        public void rows4x2(MemorySegment data, long rowAt, long blockStride, long rowStride, float[] x0, float[] x1,
                int blocks, float[] out0, float[] out1, int row) {
            TileKernels.q4_0Rows4x2(data, rowAt, blockStride, rowStride, x0, x1, blocks, out0, out1, row);
        }

        @Override
        public void rows4x1(MemorySegment data, long rowAt, long blockStride, long rowStride, float[] x, int blocks,
                float[] out, int row) {
            TileKernels.q4_0Rows4x1(data, rowAt, blockStride, rowStride, x, blocks, out, row);
        }

        @Override
        public void rows4x4(MemorySegment data, long rowAt, long blockStride, long rowStride, float[][] in, int e,
                int groups, int blocks, float[][] out, int row) {
            TileKernels.q4_0Rows4x4(data, rowAt, blockStride, rowStride, in, e, groups, blocks, out, row);
        }

        @Override
        public int fewestGroups() {
            return 2;
        }

        @Override
        public int groupsPerCall() {
            return GROUPS_PER_DECODE;
        }
    };
}
