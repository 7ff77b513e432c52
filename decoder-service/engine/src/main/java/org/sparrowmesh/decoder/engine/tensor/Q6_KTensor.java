package org.sparrowmesh.decoder.engine.tensor;

import static org.sparrowmesh.decoder.engine.tensor.LittleEndian.f16;
import static org.sparrowmesh.decoder.engine.tensor.LittleEndian.i8;
import static org.sparrowmesh.decoder.engine.tensor.LittleEndian.u8;

import java.lang.foreign.MemorySegment;

import org.sparrowmesh.decoder.engine.gguf.GgmlType;
import org.sparrowmesh.decoder.engine.kernels.KQuantVectorKernels;
import org.sparrowmesh.decoder.engine.kernels.KernelProvider;
import org.sparrowmesh.decoder.engine.kernels.RowKernel;

/**
 * Q6_K: super-blocks of 256 values in 210 bytes — 128 bytes {@code ql} (low 4 bits), 64 bytes
 * {@code qh} (high 2 bits), 16 signed 8-bit scales (one per 16 values), then the F16 {@code d}
 * last. Each half of 128 values uses 64 ql and 32 qh bytes: value l of quarter g (0…3) takes the
 * low (g &lt; 2) or high nibble of ql[l + 32·(g mod 2)] and bits 2g…2g+1 of qh[l].
 * Value = (d·scale)·(q − 32) (ggml's {@code dequantize_row_q6_K}).
 */
public final class Q6_KTensor extends BlockTensor {

    private static final int BLOCK = 256;
    private static final int BYTES = 210;
    private static final int QH = 128;
    private static final int SCALES = 192;
    private static final int D = 208;

    public Q6_KTensor(MemorySegment data) {
        super(data, GgmlType.Q6_K);
    }

    @Override
    public float getFloat(long index) {
        checkIndex(index);
        long at = index / BLOCK * BYTES;
        int e = (int) (index % BLOCK);
        int half = e / 128;
        int g = e % 128 / 32;
        int l = e % 32;
        int packed = u8(data, at + 64 * half + l + 32 * (g & 1));
        int low = g < 2 ? packed & 0xF : packed >>> 4;
        int high = (u8(data, at + QH + 32 * half + l) >>> (2 * g)) & 3;
        int q = (low | high << 4) - 32;
        return f16(data, at + D) * i8(data, at + SCALES + e / 16) * q;
    }

    @Override
    void decodeBlock(long block, float[] out, int o) {
        long at = block * BYTES;
        float d = f16(data, at + D);
        for (int half = 0; half < 2; half++) {
            long ql = at + 64 * half;
            long qh = at + QH + 32 * half;
            long sc = at + SCALES + 8 * half;
            int base = o + 128 * half;
            for (int l = 0; l < 32; l++) {
                int is = l / 16;
                int lo = u8(data, ql + l);
                int hi = u8(data, ql + l + 32);
                int h = u8(data, qh + l);
                out[base + l] = d * i8(data, sc + is) * ((lo & 0xF | (h & 3) << 4) - 32);
                out[base + l + 32] = d * i8(data, sc + is + 2) * ((hi & 0xF | (h >>> 2 & 3) << 4) - 32);
                out[base + l + 64] = d * i8(data, sc + is + 4) * ((lo >>> 4 | (h >>> 4 & 3) << 4) - 32);
                out[base + l + 96] = d * i8(data, sc + is + 6) * ((hi >>> 4 | (h >>> 6 & 3) << 4) - 32);
            }
        }
    }

    private static final RowKernel KERNEL =
            KernelProvider.vectorEnabled() && KQuantVectorKernels.supported() ? RowKernel.VECTOR_Q6_K : null;

    @Override
    RowKernel rowKernel() {
        return KERNEL;
    }
}
