package org.sparrowmesh.decoder.engine.kernels;

import java.lang.foreign.MemorySegment;

/**
 * The Vector API dot products of one weight type over a run of whole units — blocks for
 * quantized types, single values for F32/F16/BF16 — against one activation row, or against four
 * rows at once (each weight unit read and decoded once for the four). Both forms add in the same
 * order, so a row gives the same bits alone or in a batch.
 */
public interface RowKernel {

    /** Σ over {@code units} units from unit {@code first} with x[xOffset…]. */
    float dot(MemorySegment data, long first, float[] x, int xOffset, int units);

    /** The same for four activation rows; results in out[0..3]. */
    void dot4(MemorySegment data, long first, float[] x0, float[] x1, float[] x2, float[] x3,
            int xOffset, int units, float[] out);

    /**
     * Whether {@link #decode} and {@link #dotDecoded4} exist: a row decoded once to floats then
     * serves any number of entries, where decoding is most of {@link #dot4}'s work (Q6_K).
     */
    default boolean decodes() {
        return false;
    }

    /** The row's weights as {@link #dot} multiplies them, {@code units} units from {@code first}, into w[0…). */
    default void decode(MemorySegment data, long first, int units, float[] w) {
        throw new UnsupportedOperationException("this kernel does not decode rows");
    }

    /** {@link #dot4} (from index 0) against a row {@link #decode}d into w: the same sums, bit for bit. */
    default void dotDecoded4(float[] w, float[] x0, float[] x1, float[] x2, float[] x3, int units, float[] out) {
        throw new UnsupportedOperationException("this kernel does not decode rows");
    }

    /** F32 on the Vector API (units are values). Touch only when {@link KernelProvider#vectorEnabled()}. */
    RowKernel VECTOR_F32 = new RowKernel() {
        @Override
        public float dot(MemorySegment data, long first, float[] x, int xOffset, int units) {
            return VectorKernels.dotF32(data, first * Float.BYTES, x, xOffset, units);
        }

        @Override
        public void dot4(MemorySegment data, long first, float[] x0, float[] x1, float[] x2, float[] x3,
                int xOffset, int units, float[] out) {
            VectorKernels.dotF32x4(data, first * Float.BYTES, x0, x1, x2, x3, xOffset, units, out);
        }
    };

    /** F16 on the Vector API (units are values). Touch only when {@link KernelProvider#vectorEnabled()}. */
    RowKernel VECTOR_F16 = new RowKernel() {
        @Override
        public float dot(MemorySegment data, long first, float[] x, int xOffset, int units) {
            return HalfVectorKernels.dotF16(data, first * 2, x, xOffset, units);
        }

        @Override
        public void dot4(MemorySegment data, long first, float[] x0, float[] x1, float[] x2, float[] x3,
                int xOffset, int units, float[] out) {
            HalfVectorKernels.dotF16x4(data, first * 2, x0, x1, x2, x3, xOffset, units, out);
        }
    };

    /** BF16 on the Vector API (units are values). Touch only when {@link KernelProvider#vectorEnabled()}. */
    RowKernel VECTOR_BF16 = new RowKernel() {
        @Override
        public float dot(MemorySegment data, long first, float[] x, int xOffset, int units) {
            return HalfVectorKernels.dotBF16(data, first * 2, x, xOffset, units);
        }

        @Override
        public void dot4(MemorySegment data, long first, float[] x0, float[] x1, float[] x2, float[] x3,
                int xOffset, int units, float[] out) {
            HalfVectorKernels.dotBF16x4(data, first * 2, x0, x1, x2, x3, xOffset, units, out);
        }
    };

    /** Q6_K on the Vector API. Touch only when {@link KernelProvider#vectorEnabled()}. */
    RowKernel VECTOR_Q6_K = new RowKernel() {
        @Override
        public float dot(MemorySegment data, long firstBlock, float[] x, int xOffset, int blocks) {
            return KQuantVectorKernels.dotQ6_K(data, firstBlock, x, xOffset, blocks);
        }

        @Override
        public void dot4(MemorySegment data, long firstBlock, float[] x0, float[] x1, float[] x2, float[] x3,
                int xOffset, int blocks, float[] out) {
            KQuantVectorKernels.dotQ6_Kx4(data, firstBlock, x0, x1, x2, x3, xOffset, blocks, out);
        }

        @Override
        public boolean decodes() {
            return true;
        }

        @Override
        public void decode(MemorySegment data, long firstBlock, int blocks, float[] w) {
            KQuantVectorKernels.decodeQ6_K(data, firstBlock, blocks, w);
        }

        @Override
        public void dotDecoded4(float[] w, float[] x0, float[] x1, float[] x2, float[] x3, int blocks, float[] out) {
            KQuantVectorKernels.dotDecodedQ6_Kx4(w, x0, x1, x2, x3, blocks, out);
        }
    };

    /** Q4_K on the Vector API. Touch only when {@link KernelProvider#vectorEnabled()}. */
    RowKernel VECTOR_Q4_K = new RowKernel() {
        @Override
        public float dot(MemorySegment data, long firstBlock, float[] x, int xOffset, int blocks) {
            return KQuantVectorKernels.dotQ4_K(data, firstBlock, x, xOffset, blocks);
        }

        @Override
        public void dot4(MemorySegment data, long firstBlock, float[] x0, float[] x1, float[] x2, float[] x3,
                int xOffset, int blocks, float[] out) {
            KQuantVectorKernels.dotQ4_Kx4(data, firstBlock, x0, x1, x2, x3, xOffset, blocks, out);
        }
    };

    /** Q5_K on the Vector API. Touch only when {@link KernelProvider#vectorEnabled()}. */
    RowKernel VECTOR_Q5_K = new RowKernel() {
        @Override
        public float dot(MemorySegment data, long firstBlock, float[] x, int xOffset, int blocks) {
            return KQuantVectorKernels.dotQ5_K(data, firstBlock, x, xOffset, blocks);
        }

        @Override
        public void dot4(MemorySegment data, long firstBlock, float[] x0, float[] x1, float[] x2, float[] x3,
                int xOffset, int blocks, float[] out) {
            KQuantVectorKernels.dotQ5_Kx4(data, firstBlock, x0, x1, x2, x3, xOffset, blocks, out);
        }
    };
}
