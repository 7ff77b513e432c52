package org.sparrowmesh.decoder.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

import org.sparrowmesh.decoder.engine.gguf.GgmlType;
import org.sparrowmesh.decoder.engine.kernels.RowKernel;
import org.sparrowmesh.decoder.engine.kernels.TileKernel;

/**
 * A view of a block-quantized tensor: {@code blockSize} values stored in {@code typeSize} bytes,
 * blocks back to back. Subclasses decode one block ({@link #decodeBlock}) and one element
 * ({@link #getFloat}); {@link #dot} and {@link #dequantize} walk the blocks here, so a block's
 * scales are decoded once per block rather than once per element.
 *
 * <p>Sums run in element order with one accumulator, so {@code dot} equals the reference
 * Σ getFloat(i)·x[i] bit for bit; the vectorised kernels live elsewhere.
 */
abstract class BlockTensor extends FloatTensor {

    final MemorySegment data;
    private final GgmlType type;
    private final int blockSize;
    private final long size;

    BlockTensor(MemorySegment data, GgmlType type) {
        this.data = Objects.requireNonNull(data, "data");
        this.type = type;
        this.blockSize = type.blockSize();
        if (data.byteSize() % type.typeSize() != 0) {
            throw new IllegalArgumentException(type + " data of " + data.byteSize() + " bytes is not a whole number of "
                    + type.typeSize() + "-byte blocks");
        }
        this.size = data.byteSize() / type.typeSize() * blockSize;
    }


    @Override
    final int kernelUnit() {
        return blockSize;
    }

    @Override
    final MemorySegment kernelData() {
        return data;
    }

    /** Room for one decoded block of any type (at most 256 values), per thread. */
    private static final ThreadLocal<float[]> BLOCK_SCRATCH = ThreadLocal.withInitial(() -> new float[256]);

    /** Decodes all values of {@code block} into {@code out[outOffset … outOffset + blockSize)}. */
    abstract void decodeBlock(long block, float[] out, int outOffset);

    @Override
    public final long size() {
        return size;
    }

    @Override
    public final GgmlType type() {
        return type;
    }

    @Override
    public float dot(long offset, float[] x, int xOffset, int length) {
        Objects.checkFromIndexSize(offset, length, size);
        Objects.checkFromIndexSize(xOffset, length, x.length);
        if (offset % blockSize == 0 && length % blockSize == 0) {
            TileKernel tiles = tileKernel();
            if (tiles != null) {
                return tiles.dot(data, offset / blockSize, x, xOffset, length / blockSize);
            }
            RowKernel kernel = rowKernel();
            if (kernel != null) {
                return kernel.dot(data, offset / blockSize, x, xOffset, length / blockSize);
            }
        }
        float[] block = BLOCK_SCRATCH.get(); // per thread: a dot product allocates nothing
        float sum = 0f;
        long end = offset + length;
        int xi = xOffset;
        for (long i = offset; i < end; ) {
            long b = i / blockSize;
            long blockStart = b * blockSize;
            int from = (int) (i - blockStart);
            int to = (int) Math.min(blockSize, end - blockStart);
            decodeBlock(b, block, 0);
            for (int j = from; j < to; j++) {
                sum += block[j] * x[xi++];
            }
            i = blockStart + to;
        }
        return sum;
    }

    @Override
    public final void dequantize(long offset, float[] out, int outOffset, int length) {
        Objects.checkFromIndexSize(offset, length, size);
        Objects.checkFromIndexSize(outOffset, length, out.length);
        float[] block = null;
        long end = offset + length;
        int o = outOffset;
        for (long i = offset; i < end; ) {
            long b = i / blockSize;
            long blockStart = b * blockSize;
            int from = (int) (i - blockStart);
            int to = (int) Math.min(blockSize, end - blockStart);
            if (from == 0 && to == blockSize) {
                decodeBlock(b, out, o); // whole block: straight into the destination
            } else {
                if (block == null) {
                    block = BLOCK_SCRATCH.get();
                }
                decodeBlock(b, block, 0);
                System.arraycopy(block, from, out, o, to - from);
            }
            o += to - from;
            i = blockStart + to;
        }
    }

    /** Bounds check of {@link #getFloat}: a clear message rather than a segment offset. */
    final void checkIndex(long index) {
        Objects.checkIndex(index, size);
    }
}
