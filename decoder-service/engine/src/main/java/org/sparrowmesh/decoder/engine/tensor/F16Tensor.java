package org.sparrowmesh.decoder.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

import org.sparrowmesh.decoder.engine.gguf.GgmlType;
import org.sparrowmesh.decoder.engine.kernels.HalfVectorKernels;
import org.sparrowmesh.decoder.engine.kernels.KernelProvider;

/** IEEE binary16 values, little-endian; each converts exactly to a float. */
public final class F16Tensor extends FloatTensor {

    private final MemorySegment data;

    public F16Tensor(MemorySegment data) {
        if (data.byteSize() % 2 != 0) {
            throw new IllegalArgumentException("F16 data of " + data.byteSize() + " bytes is not a whole number of values");
        }
        this.data = data;
    }

    @Override
    public long size() {
        return data.byteSize() / 2;
    }

    @Override
    public GgmlType type() {
        return GgmlType.F16;
    }

    @Override
    public float getFloat(long index) {
        Objects.checkIndex(index, size());
        return Float.float16ToFloat(data.get(LittleEndian.SHORT, index * 2));
    }

    @Override
    public float dot(long offset, float[] x, int xOffset, int length) {
        Objects.checkFromIndexSize(offset, length, size());
        Objects.checkFromIndexSize(xOffset, length, x.length);
        if (VECTOR) {
            return HalfVectorKernels.dotF16(data, offset * 2, x, xOffset, length);
        }
        float sum = 0f;
        for (int i = 0; i < length; i++) {
            sum += Float.float16ToFloat(data.get(LittleEndian.SHORT, (offset + i) * 2)) * x[xOffset + i];
        }
        return sum;
    }

    @Override
    public void dequantize(long offset, float[] out, int outOffset, int length) {
        Objects.checkFromIndexSize(offset, length, size());
        Objects.checkFromIndexSize(outOffset, length, out.length);
        for (int i = 0; i < length; i++) {
            out[outOffset + i] = Float.float16ToFloat(data.get(LittleEndian.SHORT, (offset + i) * 2));
        }
    }

    private static final boolean VECTOR = KernelProvider.vectorEnabled();
    private static final ThreadLocal<float[]> FOUR = ThreadLocal.withInitial(() -> new float[4]);

    /** Four batch entries per pass over the row: the row is read and decoded once for all four. */
    @Override
    public void dotRows(int row, int n, float[][] in, int batchSize, float[][] out) {
        if (!VECTOR || batchSize < 4) {
            super.dotRows(row, n, in, batchSize, out);
            return;
        }
        long offset = (long) row * n;
        Objects.checkFromIndexSize(offset, n, size());
        float[] four = FOUR.get();
        int b = 0;
        for (; b + 4 <= batchSize; b += 4) {
            HalfVectorKernels.dotF16x4(data, offset * 2, in[b], in[b + 1], in[b + 2], in[b + 3], 0, n, four);
            out[b][row] = four[0];
            out[b + 1][row] = four[1];
            out[b + 2][row] = four[2];
            out[b + 3][row] = four[3];
        }
        for (; b < batchSize; b++) {
            out[b][row] = HalfVectorKernels.dotF16(data, offset * 2, in[b], 0, n);
        }
    }
}
