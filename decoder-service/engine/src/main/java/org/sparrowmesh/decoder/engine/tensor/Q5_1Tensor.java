package org.sparrowmesh.decoder.engine.tensor;

import static org.sparrowmesh.decoder.engine.tensor.LittleEndian.f16;
import static org.sparrowmesh.decoder.engine.tensor.LittleEndian.u32;
import static org.sparrowmesh.decoder.engine.tensor.LittleEndian.u8;

import java.lang.foreign.MemorySegment;

import org.sparrowmesh.decoder.engine.gguf.GgmlType;

/**
 * Q5_1: blocks of 32 values in 24 bytes — F16 scale {@code d}, F16 minimum {@code m}, the 32-bit
 * fifth-bit word {@code qh}, then 16 bytes of low nibbles; value = q·d + m (ggml's
 * {@code dequantize_row_q5_1}).
 */
public final class Q5_1Tensor extends BlockTensor {

    private static final int BLOCK = 32;
    private static final int BYTES = 24;

    public Q5_1Tensor(MemorySegment data) {
        super(data, GgmlType.Q5_1);
    }

    @Override
    public float getFloat(long index) {
        checkIndex(index);
        long at = index / BLOCK * BYTES;
        int j = (int) (index % BLOCK);
        int packed = u8(data, at + 8 + (j & 15));
        int low = j < 16 ? packed & 0xF : packed >>> 4;
        int q = low | ((u32(data, at + 4) >>> j) & 1) << 4;
        return q * f16(data, at) + f16(data, at + 2);
    }

    @Override
    void decodeBlock(long block, float[] out, int o) {
        long at = block * BYTES;
        float d = f16(data, at);
        float m = f16(data, at + 2);
        int qh = u32(data, at + 4);
        for (int j = 0; j < 16; j++) {
            int packed = u8(data, at + 8 + j);
            int q0 = (packed & 0xF) | ((qh >>> j) & 1) << 4;
            int q1 = (packed >>> 4) | ((qh >>> (j + 16)) & 1) << 4;
            out[o + j] = q0 * d + m;
            out[o + j + 16] = q1 * d + m;
        }
    }
}
