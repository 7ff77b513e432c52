package org.sparrowmesh.decoder.engine.tensor;

import static org.sparrowmesh.decoder.engine.tensor.LittleEndian.f16;
import static org.sparrowmesh.decoder.engine.tensor.LittleEndian.i8;

import java.lang.foreign.MemorySegment;

import org.sparrowmesh.decoder.engine.gguf.GgmlType;
import org.sparrowmesh.decoder.engine.kernels.KernelProvider;
import org.sparrowmesh.decoder.engine.kernels.TileKernel;

/**
 * Q8_0: blocks of 32 values in 34 bytes — an F16 scale {@code d}, then 32 signed bytes {@code q};
 * value = q·d (ggml's {@code dequantize_row_q8_0}).
 */
public final class Q8_0Tensor extends BlockTensor {

    private static final int BLOCK = 32;
    private static final int BYTES = 34;

    public Q8_0Tensor(MemorySegment data) {
        super(data, GgmlType.Q8_0);
    }

    /** A view of rows of {@code rowBlocks} blocks interleaved four by four (see {@link BlockTensor}). */
    private Q8_0Tensor(MemorySegment data, int rowBlocks) {
        super(data, GgmlType.Q8_0, rowBlocks);
    }

    @Override
    BlockTensor interleavedView(MemorySegment interleavedData, int rowBlocks) {
        return new Q8_0Tensor(interleavedData, rowBlocks);
    }

    @Override
    public float getFloat(long index) {
        checkIndex(index);
        long at = physicalBlock(index / BLOCK) * BYTES;
        return i8(data, at + 2 + index % BLOCK) * f16(data, at);
    }

    @Override
    void decodeBlock(long block, float[] out, int o) {
        long at = physicalBlock(block) * BYTES;
        float d = f16(data, at);
        for (int j = 0; j < BLOCK; j++) {
            out[o + j] = i8(data, at + 2 + j) * d;
        }
    }

    private static final TileKernel TILES =
            KernelProvider.vectorEnabled() ? TileKernel.VECTOR_Q8_0 : null;

    @Override
    TileKernel tileKernel() {
        return TILES;
    }
}
