package org.sparrowmesh.decoder.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

import org.sparrowmesh.decoder.engine.gguf.GgmlType;
import org.sparrowmesh.decoder.engine.kernels.HalfVectorKernels;
import org.sparrowmesh.decoder.engine.kernels.KernelProvider;
import org.sparrowmesh.decoder.engine.kernels.RowKernel;

/** bfloat16 values, little-endian: the upper 16 bits of a float, the lower 16 taken as zero. */
public final class BF16Tensor extends FloatTensor {

    private final MemorySegment data;

    public BF16Tensor(MemorySegment data) {
        if (data.byteSize() % 2 != 0) {
            throw new IllegalArgumentException("BF16 data of " + data.byteSize() + " bytes is not a whole number of values");
        }
        this.data = data;
    }

    @Override
    public long size() {
        return data.byteSize() / 2;
    }

    @Override
    public GgmlType type() {
        return GgmlType.BF16;
    }

    @Override
    public float getFloat(long index) {
        Objects.checkIndex(index, size());
        return value(index);
    }

    private float value(long index) {
        return Float.intBitsToFloat(data.get(LittleEndian.SHORT, index * 2) << 16);
    }

    @Override
    public float dot(long offset, float[] x, int xOffset, int length) {
        Objects.checkFromIndexSize(offset, length, size());
        Objects.checkFromIndexSize(xOffset, length, x.length);
        if (VECTOR) {
            return HalfVectorKernels.dotBF16(data, offset * 2, x, xOffset, length);
        }
        float sum = 0f;
        for (int i = 0; i < length; i++) {
            sum += value(offset + i) * x[xOffset + i];
        }
        return sum;
    }

    @Override
    public void dequantize(long offset, float[] out, int outOffset, int length) {
        Objects.checkFromIndexSize(offset, length, size());
        Objects.checkFromIndexSize(outOffset, length, out.length);
        for (int i = 0; i < length; i++) {
            out[outOffset + i] = value(offset + i);
        }
    }

    private static final boolean VECTOR = KernelProvider.vectorEnabled();

    @Override
    RowKernel rowKernel() {
        return VECTOR ? RowKernel.VECTOR_BF16 : null;
    }

    @Override
    MemorySegment kernelData() {
        return data;
    }
}
