package org.sparrowmesh.decoder.engine.tensor;

import static org.sparrowmesh.decoder.engine.tensor.LittleEndian.f16;
import static org.sparrowmesh.decoder.engine.tensor.LittleEndian.u8;

import java.lang.foreign.MemorySegment;

import org.sparrowmesh.decoder.engine.gguf.GgmlType;
import org.sparrowmesh.decoder.engine.kernels.KernelProvider;
import org.sparrowmesh.decoder.engine.kernels.VectorKernels;

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

    @Override
    public float getFloat(long index) {
        checkIndex(index);
        long at = index / BLOCK * BYTES;
        int j = (int) (index % BLOCK);
        int packed = u8(data, at + 2 + (j & 15));
        int q = j < 16 ? packed & 0xF : packed >>> 4;
        return (q - 8) * f16(data, at);
    }

    @Override
    void decodeBlock(long block, float[] out, int o) {
        long at = block * BYTES;
        float d = f16(data, at);
        for (int j = 0; j < 16; j++) {
            int packed = u8(data, at + 2 + j);
            out[o + j] = ((packed & 0xF) - 8) * d;
            out[o + j + 16] = ((packed >>> 4) - 8) * d;
        }
    }

    private static final boolean VECTOR = KernelProvider.vectorEnabled();

    /** Vector API over whole blocks when enabled; the scalar reference otherwise (and for partial blocks). */
    @Override
    public float dot(long offset, float[] x, int xOffset, int length) {
        if (VECTOR && offset % 32 == 0 && length % 32 == 0) {
            java.util.Objects.checkFromIndexSize(offset, length, size());
            java.util.Objects.checkFromIndexSize(xOffset, length, x.length);
            return VectorKernels.dotQ4_0(data, offset / 32, x, xOffset, length / 32);
        }
        return super.dot(offset, x, xOffset, length);
    }

    /** Four batch entries per pass over the row: each weight block is decoded once for all four. */
    @Override
    public void dotRows(int row, int n, float[][] in, int batchSize, float[][] out) {
        if (!VECTOR || n % 32 != 0 || batchSize < 4) {
            super.dotRows(row, n, in, batchSize, out);
            return;
        }
        long firstBlock = (long) row * (n / 32);
        java.util.Objects.checkFromIndexSize(firstBlock * 32, n, size());
        float[] four = FOUR.get();
        int b = 0;
        for (; b + 4 <= batchSize; b += 4) {
            VectorKernels.dotQ4_0x4(data, firstBlock, in[b], in[b + 1], in[b + 2], in[b + 3], 0, n / 32, four);
            out[b][row] = four[0];
            out[b + 1][row] = four[1];
            out[b + 2][row] = four[2];
            out[b + 3][row] = four[3];
        }
        for (; b < batchSize; b++) {
            out[b][row] = VectorKernels.dotQ4_0(data, firstBlock, in[b], 0, n / 32);
        }
    }

    private static final ThreadLocal<float[]> FOUR = ThreadLocal.withInitial(() -> new float[4]);
}
