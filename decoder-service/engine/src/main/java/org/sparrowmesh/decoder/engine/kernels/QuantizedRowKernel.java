package org.sparrowmesh.decoder.engine.kernels;

import java.lang.foreign.MemorySegment;

/**
 * The dot products of one block-quantized weight type: a run of whole blocks against one
 * activation row, or against four rows at once (each block decoded once for the four). Both forms
 * add in the same order, so a row gives the same bits alone or in a batch.
 */
public interface QuantizedRowKernel {

    /** Σ over {@code blocks} blocks from {@code firstBlock} with x[xOffset…]. */
    float dot(MemorySegment data, long firstBlock, float[] x, int xOffset, int blocks);

    /** The same for four activation rows; results in out[0..3]. */
    void dot4(MemorySegment data, long firstBlock, float[] x0, float[] x1, float[] x2, float[] x3,
            int xOffset, int blocks, float[] out);

    /** Q8_0 on the Vector API. Touch only when {@link KernelProvider#vectorEnabled()}. */
    QuantizedRowKernel VECTOR_Q8_0 = new QuantizedRowKernel() {
        @Override
        public float dot(MemorySegment data, long firstBlock, float[] x, int xOffset, int blocks) {
            return VectorKernels.dotQ8_0(data, firstBlock, x, xOffset, blocks);
        }

        @Override
        public void dot4(MemorySegment data, long firstBlock, float[] x0, float[] x1, float[] x2, float[] x3,
                int xOffset, int blocks, float[] out) {
            VectorKernels.dotQ8_0x4(data, firstBlock, x0, x1, x2, x3, xOffset, blocks, out);
        }
    };

    /** Q4_0 on the Vector API. Touch only when {@link KernelProvider#vectorEnabled()}. */
    QuantizedRowKernel VECTOR_Q4_0 = new QuantizedRowKernel() {
        @Override
        public float dot(MemorySegment data, long firstBlock, float[] x, int xOffset, int blocks) {
            return VectorKernels.dotQ4_0(data, firstBlock, x, xOffset, blocks);
        }

        @Override
        public void dot4(MemorySegment data, long firstBlock, float[] x0, float[] x1, float[] x2, float[] x3,
                int xOffset, int blocks, float[] out) {
            VectorKernels.dotQ4_0x4(data, firstBlock, x0, x1, x2, x3, xOffset, blocks, out);
        }
    };

    /** Q6_K on the Vector API. Touch only when {@link KernelProvider#vectorEnabled()}. */
    QuantizedRowKernel VECTOR_Q6_K = new QuantizedRowKernel() {
        @Override
        public float dot(MemorySegment data, long firstBlock, float[] x, int xOffset, int blocks) {
            return KQuantVectorKernels.dotQ6_K(data, firstBlock, x, xOffset, blocks);
        }

        @Override
        public void dot4(MemorySegment data, long firstBlock, float[] x0, float[] x1, float[] x2, float[] x3,
                int xOffset, int blocks, float[] out) {
            KQuantVectorKernels.dotQ6_Kx4(data, firstBlock, x0, x1, x2, x3, xOffset, blocks, out);
        }
    };

    /** Q4_K on the Vector API. Touch only when {@link KernelProvider#vectorEnabled()}. */
    QuantizedRowKernel VECTOR_Q4_K = new QuantizedRowKernel() {
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
    QuantizedRowKernel VECTOR_Q5_K = new QuantizedRowKernel() {
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
