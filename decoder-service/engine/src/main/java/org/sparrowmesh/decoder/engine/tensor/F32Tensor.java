package org.sparrowmesh.decoder.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;

import org.sparrowmesh.decoder.engine.gguf.GgmlType;
import org.sparrowmesh.decoder.engine.kernels.KernelProvider;
import org.sparrowmesh.decoder.engine.kernels.RowKernel;
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

    @Override
    RowKernel rowKernel() {
        return VECTOR ? RowKernel.VECTOR_F32 : null;
    }

    @Override
    MemorySegment kernelData() {
        return data;
    }
}
