package org.sparrowmesh.decoder.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

import org.sparrowmesh.decoder.engine.gguf.GgmlType;
import org.sparrowmesh.decoder.engine.kernels.HalfVectorKernels;
import org.sparrowmesh.decoder.engine.kernels.KernelProvider;
import org.sparrowmesh.decoder.engine.kernels.RowKernel;

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

    @Override
    RowKernel rowKernel() {
        return VECTOR ? RowKernel.VECTOR_F16 : null;
    }

    @Override
    MemorySegment kernelData() {
        return data;
    }
}
