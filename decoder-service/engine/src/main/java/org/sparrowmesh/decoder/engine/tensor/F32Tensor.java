package org.sparrowmesh.decoder.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;

import org.sparrowmesh.decoder.engine.gguf.GgmlType;
import org.sparrowmesh.decoder.engine.kernels.KernelProvider;
import org.sparrowmesh.decoder.engine.kernels.VectorKernels;

/** 32-bit IEEE floats, little-endian. */
public final class F32Tensor extends FloatTensor {

    private static final ValueLayout.OfFloat LAYOUT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final MemorySegment data;

    public F32Tensor(MemorySegment data) {
        this.data = data;
    }

    @Override
    public long size() {
        return data.byteSize() / Float.BYTES;
    }

    @Override
    public GgmlType type() {
        return GgmlType.F32;
    }

    @Override
    public float getFloat(long index) {
        return data.get(LAYOUT, index * Float.BYTES);
    }

    @Override
    public float dot(long offset, float[] x, int xOffset, int length) {
        Objects.checkFromIndexSize(offset, length, size());
        Objects.checkFromIndexSize(xOffset, length, x.length);
        if (VECTOR) {
            return VectorKernels.dotF32(data, offset * Float.BYTES, x, xOffset, length);
        }
        float sum = 0f;
        for (int i = 0; i < length; i++) {
            sum += data.get(LAYOUT, (offset + i) * Float.BYTES) * x[xOffset + i];
        }
        return sum;
    }

    @Override
    public void dequantize(long offset, float[] out, int outOffset, int length) {
        Objects.checkFromIndexSize(offset, length, size());
        MemorySegment.copy(data, LAYOUT, offset * Float.BYTES, out, outOffset, length);
    }

    private static final boolean VECTOR = KernelProvider.vectorEnabled();
    private static final ThreadLocal<float[]> FOUR = ThreadLocal.withInitial(() -> new float[4]);

    /** Four batch entries per pass over the row: the row is read once for all four. */
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
            VectorKernels.dotF32x4(data, offset * Float.BYTES, in[b], in[b + 1], in[b + 2], in[b + 3], 0, n, four);
            out[b][row] = four[0];
            out[b + 1][row] = four[1];
            out[b + 2][row] = four[2];
            out[b + 3][row] = four[3];
        }
        for (; b < batchSize; b++) {
            out[b][row] = VectorKernels.dotF32(data, offset * Float.BYTES, in[b], 0, n);
        }
    }
}
