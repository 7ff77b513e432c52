package org.sparrowmesh.decoder.engine.tensor;

import static org.sparrowmesh.decoder.engine.tensor.LittleEndian.f16;
import static org.sparrowmesh.decoder.engine.tensor.LittleEndian.u8;

import java.lang.foreign.MemorySegment;

import org.sparrowmesh.decoder.engine.gguf.GgmlType;
import org.sparrowmesh.decoder.engine.kernels.KQuantVectorKernels;
import org.sparrowmesh.decoder.engine.kernels.KernelProvider;
import org.sparrowmesh.decoder.engine.kernels.RowKernel;

/**
 * Q4_K: super-blocks of 256 values in 144 bytes — F16 {@code d}, F16 {@code dmin}, 12 bytes
 * holding eight 6-bit scales and eight 6-bit mins (one pair per 32 values), then 128 bytes of
 * nibbles: each group of 64 values takes 32 bytes, low nibbles first 32, high nibbles next 32.
 * Value = (d·scale)·q − dmin·min (ggml's {@code dequantize_row_q4_K}).
 */
public final class Q4_KTensor extends BlockTensor {

    private static final int BLOCK = 256;
    private static final int BYTES = 144;
    private static final int SCALES = 4;
    private static final int QS = 16;

    public Q4_KTensor(MemorySegment data) {
        super(data, GgmlType.Q4_K);
    }

    /**
     * The 6-bit scale of sub-block {@code j} (0…7) from the 12 bytes at {@code at}: sub-blocks 0…3
     * keep theirs in the low 6 bits of bytes 0…3; 4…7 take a low nibble of bytes 8…11 and their
     * top two bits from the spare top bits of bytes 0…3 (ggml's {@code get_scale_min_k4}).
     */
    static int scale(MemorySegment s, long at, int j) {
        return j < 4
                ? u8(s, at + j) & 63
                : (u8(s, at + j + 4) & 0xF) | (u8(s, at + j - 4) >>> 6) << 4;
    }

    /** The 6-bit min of sub-block {@code j}: bytes 4…7, or high nibbles of 8…11 and top bits of 4…7. */
    static int min(MemorySegment s, long at, int j) {
        return j < 4
                ? u8(s, at + j + 4) & 63
                : (u8(s, at + j + 4) >>> 4) | (u8(s, at + j) >>> 6) << 4;
    }

    @Override
    public float getFloat(long index) {
        checkIndex(index);
        long at = index / BLOCK * BYTES;
        int e = (int) (index % BLOCK);
        int sub = e / 32;
        int packed = u8(data, at + QS + 32 * (e / 64) + e % 32);
        int q = (sub & 1) == 0 ? packed & 0xF : packed >>> 4;
        float d = f16(data, at) * scale(data, at + SCALES, sub);
        float m = f16(data, at + 2) * min(data, at + SCALES, sub);
        return d * q - m;
    }

    @Override
    void decodeBlock(long block, float[] out, int o) {
        long at = block * BYTES;
        float d = f16(data, at);
        float dmin = f16(data, at + 2);
        for (int g = 0; g < 4; g++) {
            float d1 = d * scale(data, at + SCALES, 2 * g);
            float m1 = dmin * min(data, at + SCALES, 2 * g);
            float d2 = d * scale(data, at + SCALES, 2 * g + 1);
            float m2 = dmin * min(data, at + SCALES, 2 * g + 1);
            long qs = at + QS + 32 * g;
            int base = o + 64 * g;
            for (int l = 0; l < 32; l++) {
                int packed = u8(data, qs + l);
                out[base + l] = d1 * (packed & 0xF) - m1;
                out[base + 32 + l] = d2 * (packed >>> 4) - m2;
            }
        }
    }

    private static final RowKernel KERNEL =
            KernelProvider.vectorEnabled() && KQuantVectorKernels.supported() ? RowKernel.VECTOR_Q4_K : null;

    @Override
    RowKernel rowKernel() {
        return KERNEL;
    }
}
