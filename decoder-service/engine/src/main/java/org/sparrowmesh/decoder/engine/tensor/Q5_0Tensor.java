package org.sparrowmesh.decoder.engine.tensor;

import static org.sparrowmesh.decoder.engine.tensor.LittleEndian.f16;
import static org.sparrowmesh.decoder.engine.tensor.LittleEndian.u32;
import static org.sparrowmesh.decoder.engine.tensor.LittleEndian.u8;

import java.lang.foreign.MemorySegment;

import org.sparrowmesh.decoder.engine.gguf.GgmlType;

/**
 * Q5_0: blocks of 32 values in 22 bytes — F16 scale {@code d}, a 32-bit word {@code qh} whose
 * bit j is the fifth bit of value j, then 16 bytes of low nibbles laid out as in Q4_0;
 * value = (q − 16)·d (ggml's {@code dequantize_row_q5_0}).
 */
public final class Q5_0Tensor extends BlockTensor {

    private static final int BLOCK = 32;
    private static final int BYTES = 22;

    public Q5_0Tensor(MemorySegment data) {
        super(data, GgmlType.Q5_0);
    }

    @Override
    public float getFloat(long index) {
        checkIndex(index);
        long at = index / BLOCK * BYTES;
        int j = (int) (index % BLOCK);
        int packed = u8(data, at + 6 + (j & 15));
        int low = j < 16 ? packed & 0xF : packed >>> 4;
        int q = low | ((u32(data, at + 2) >>> j) & 1) << 4;
        return (q - 16) * f16(data, at);
    }

    @Override
    void decodeBlock(long block, float[] out, int o) {
        long at = block * BYTES;
        float d = f16(data, at);
        int qh = u32(data, at + 2);
        for (int j = 0; j < 16; j++) {
            int packed = u8(data, at + 6 + j);
            int q0 = (packed & 0xF) | ((qh >>> j) & 1) << 4;
            int q1 = (packed >>> 4) | ((qh >>> (j + 16)) & 1) << 4;
            out[o + j] = (q0 - 16) * d;
            out[o + j + 16] = (q1 - 16) * d;
        }
    }
}
