package org.sparrowmesh.decoder.engine.tensor;

import static org.sparrowmesh.decoder.engine.tensor.LittleEndian.f16;
import static org.sparrowmesh.decoder.engine.tensor.LittleEndian.u8;

import java.lang.foreign.MemorySegment;

import org.sparrowmesh.decoder.engine.gguf.GgmlType;

/**
 * Q4_1: blocks of 32 values in 20 bytes — F16 scale {@code d}, F16 minimum {@code m}, then 16
 * bytes of nibbles as in Q4_0; value = q·d + m, the product rounded before the sum (ggml's
 * {@code dequantize_row_q4_1} as its C reads).
 */
public final class Q4_1Tensor extends BlockTensor {

    private static final int BLOCK = 32;
    private static final int BYTES = 20;

    public Q4_1Tensor(MemorySegment data) {
        super(data, GgmlType.Q4_1);
    }

    @Override
    public float getFloat(long index) {
        checkIndex(index);
        long at = index / BLOCK * BYTES;
        int j = (int) (index % BLOCK);
        int packed = u8(data, at + 4 + (j & 15));
        int q = j < 16 ? packed & 0xF : packed >>> 4;
        return q * f16(data, at) + f16(data, at + 2);
    }

    @Override
    void decodeBlock(long block, float[] out, int o) {
        long at = block * BYTES;
        float d = f16(data, at);
        float m = f16(data, at + 2);
        for (int j = 0; j < 16; j++) {
            int packed = u8(data, at + 4 + j);
            out[o + j] = (packed & 0xF) * d + m;
            out[o + j + 16] = (packed >>> 4) * d + m;
        }
    }
}
