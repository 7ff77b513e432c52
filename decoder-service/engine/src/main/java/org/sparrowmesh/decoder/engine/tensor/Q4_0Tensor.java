package org.sparrowmesh.decoder.engine.tensor;

import static org.sparrowmesh.decoder.engine.tensor.LittleEndian.f16;
import static org.sparrowmesh.decoder.engine.tensor.LittleEndian.u8;

import java.lang.foreign.MemorySegment;

import org.sparrowmesh.decoder.engine.gguf.GgmlType;
import org.sparrowmesh.decoder.engine.kernels.KernelProvider;
import org.sparrowmesh.decoder.engine.kernels.TileKernel;

/**
 * Q4_0: blocks of 32 values in 18 bytes — an F16 scale {@code d}, then 16 bytes whose low nibbles
 * are values 0…15 and high nibbles values 16…31; value = (q − 8)·d (ggml's
 * {@code dequantize_row_q4_0}).
 */
public final class Q4_0Tensor extends BlockTensor {

    private static final int BLOCK = 32;
    private static final int BYTES = 18;

    public Q4_0Tensor(MemorySegment data) {
        super(data, GgmlType.Q4_0);
    }

    /** A view of rows of {@code rowBlocks} blocks interleaved four by four (see {@link BlockTensor}). */
    private Q4_0Tensor(MemorySegment data, int rowBlocks) {
        super(data, GgmlType.Q4_0, rowBlocks);
    }

    @Override
    BlockTensor interleavedView(MemorySegment interleavedData, int rowBlocks) {
        return new Q4_0Tensor(interleavedData, rowBlocks);
    }

    @Override
    public float getFloat(long index) {
        checkIndex(index);
        long at = physicalBlock(index / BLOCK) * BYTES;
        int j = (int) (index % BLOCK);
        int packed = u8(data, at + 2 + (j & 15));
        int q = j < 16 ? packed & 0xF : packed >>> 4;
        return (q - 8) * f16(data, at);
    }

    @Override
    void decodeBlock(long block, float[] out, int o) {
        long at = physicalBlock(block) * BYTES;
        float d = f16(data, at);
        for (int j = 0; j < 16; j++) {
            int packed = u8(data, at + 2 + j);
            out[o + j] = ((packed & 0xF) - 8) * d;
            out[o + j + 16] = ((packed >>> 4) - 8) * d;
        }
    }

    private static final TileKernel TILES =
            KernelProvider.vectorEnabled() ? TileKernel.VECTOR_Q4_0 : null;

    @Override
    TileKernel tileKernel() {
        return TILES;
    }
}
