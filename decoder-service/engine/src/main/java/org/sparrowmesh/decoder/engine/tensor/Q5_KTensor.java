package org.sparrowmesh.decoder.engine.tensor;

import static org.sparrowmesh.decoder.engine.tensor.LittleEndian.f16;
import static org.sparrowmesh.decoder.engine.tensor.LittleEndian.u8;

import java.lang.foreign.MemorySegment;

import org.sparrowmesh.decoder.engine.gguf.GgmlType;
import org.sparrowmesh.decoder.engine.kernels.KQuantVectorKernels;
import org.sparrowmesh.decoder.engine.kernels.KernelProvider;
import org.sparrowmesh.decoder.engine.kernels.RowKernel;

/**
 * Q5_K: super-blocks of 256 values in 176 bytes — F16 {@code d}, F16 {@code dmin}, 12 bytes of
 * 6-bit scales and mins packed as in Q4_K, 32 bytes {@code qh} (bit s of byte l is the fifth bit
 * of value l of sub-block s), then 128 bytes of low nibbles laid out as in Q4_K.
 * Value = (d·scale)·q − dmin·min (ggml's {@code dequantize_row_q5_K}).
 */
public final class Q5_KTensor extends BlockTensor {

    private static final int BLOCK = 256;
    private static final int BYTES = 176;
    private static final int SCALES = 4;
    private static final int QH = 16;
    private static final int QS = 48;

    public Q5_KTensor(MemorySegment data) {
        super(data, GgmlType.Q5_K);
    }

    @Override
    public float getFloat(long index) {
        checkIndex(index);
        long at = index / BLOCK * BYTES;
        int e = (int) (index % BLOCK);
        int sub = e / 32;
        int l = e % 32;
        int packed = u8(data, at + QS + 32 * (e / 64) + l);
        int low = (sub & 1) == 0 ? packed & 0xF : packed >>> 4;
        int q = low + (((u8(data, at + QH + l) >>> sub) & 1) << 4);
        float d = f16(data, at) * Q4_KTensor.scale(data, at + SCALES, sub);
        float m = f16(data, at + 2) * Q4_KTensor.min(data, at + SCALES, sub);
        return d * q - m;
    }

    @Override
    void decodeBlock(long block, float[] out, int o) {
        long at = block * BYTES;
        float d = f16(data, at);
        float dmin = f16(data, at + 2);
        for (int g = 0; g < 4; g++) {
            int s1 = 2 * g;
            int s2 = 2 * g + 1;
            float d1 = d * Q4_KTensor.scale(data, at + SCALES, s1);
            float m1 = dmin * Q4_KTensor.min(data, at + SCALES, s1);
            float d2 = d * Q4_KTensor.scale(data, at + SCALES, s2);
            float m2 = dmin * Q4_KTensor.min(data, at + SCALES, s2);
            long qs = at + QS + 32 * g;
            int base = o + 64 * g;
            for (int l = 0; l < 32; l++) {
                int packed = u8(data, qs + l);
                int high = u8(data, at + QH + l);
                out[base + l] = d1 * ((packed & 0xF) + (((high >>> s1) & 1) << 4)) - m1;
                out[base + 32 + l] = d2 * ((packed >>> 4) + (((high >>> s2) & 1) << 4)) - m2;
            }
        }
    }

    private static final RowKernel KERNEL =
            KernelProvider.vectorEnabled() && KQuantVectorKernels.supported() ? RowKernel.VECTOR_Q5_K : null;

    @Override
    RowKernel rowKernel() {
        return KERNEL;
    }
}
