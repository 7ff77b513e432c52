package org.sparrowmesh.decoder.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.function.LongFunction;

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
 *
 * <p>Two layouts of a matrix's blocks. As stored in GGUF, row after row. Or, for the types with
 * register-tiled kernels, <em>interleaved</em> four rows at a time ({@link #forMatmul}): block b
 * of rows 4g…4g+3 side by side, then block b + 1 of the same rows. A tile of four rows is then one
 * sequential stream: one sequence decoding reads four rows at once with four independent FMA
 * chains (measured streaming a 200 MB Q8_0 matrix on both cores: 24 → 30 GB/s), where four
 * strided rows read from DRAM ran at half the speed of one row at a time. Element i is the same
 * value in both layouts; {@link #physicalBlock} maps a logical block to where it is stored.
 */
abstract class BlockTensor extends FloatTensor {

    final MemorySegment data;
    private final GgmlType type;
    private final int blockSize;
    private final long size;
    /** Blocks per row when the rows are interleaved four by four; 0 when stored row after row. */
    private final int interleavedRowBlocks;

    BlockTensor(MemorySegment data, GgmlType type) {
        this(data, type, 0);
    }

    BlockTensor(MemorySegment data, GgmlType type, int interleavedRowBlocks) {
        this.data = Objects.requireNonNull(data, "data");
        this.type = type;
        this.blockSize = type.blockSize();
        if (data.byteSize() % type.typeSize() != 0) {
            throw new IllegalArgumentException(type + " data of " + data.byteSize() + " bytes is not a whole number of "
                    + type.typeSize() + "-byte blocks");
        }
        long blocks = data.byteSize() / type.typeSize();
        if (interleavedRowBlocks < 0 || interleavedRowBlocks > 0 && blocks % (4L * interleavedRowBlocks) != 0) {
            throw new IllegalArgumentException(blocks + " blocks are not whole groups of four rows of "
                    + interleavedRowBlocks + " blocks");
        }
        this.size = blocks * blockSize;
        this.interleavedRowBlocks = interleavedRowBlocks;
    }

    /** Where logical block {@code block} (row-major) is stored, in blocks from the start of the data. */
    final long physicalBlock(long block) {
        int rb = interleavedRowBlocks;
        if (rb == 0) {
            return block;
        }
        long row = block / rb;
        long b = block - row * rb;
        return ((row >>> 2) * rb + b) * 4 + (row & 3);
    }

    /** Whether the rows are interleaved four by four (see the class comment). */
    public final boolean interleaved() {
        return interleavedRowBlocks != 0;
    }

    /** The register-tiled kernel of this type when the provider enabled it, else null. */
    TileKernel tileKernel() {
        return null;
    }

    /** This type's view of {@code interleavedData}: rows of {@code rowBlocks} blocks, interleaved by four. */
    BlockTensor interleavedView(MemorySegment interleavedData, int rowBlocks) {
        throw new UnsupportedOperationException(type + " has no interleaved layout");
    }

    @Override
    public final FloatTensor forMatmul(int rowLength, LongFunction<MemorySegment> allocator) {
        long rows = size / Math.max(1, rowLength);
        if (tileKernel() == null || interleaved() || rowLength % blockSize != 0 || rows * rowLength != size
                || rows % 4 != 0) {
            return this;
        }
        int rowBlocks = rowLength / blockSize;
        int bytes = type.typeSize();
        MemorySegment copy = allocator.apply(data.byteSize());
        for (long row = 0; row < rows; row++) {
            long from = row * rowBlocks * bytes;
            long to = ((row >>> 2) * rowBlocks * 4 + (row & 3)) * bytes;
            for (int b = 0; b < rowBlocks; b++) {
                MemorySegment.copy(data, from + (long) b * bytes, copy, to + (long) b * 4 * bytes, bytes);
            }
        }
        return interleavedView(copy, rowBlocks);
    }

    /** Byte offset of row {@code row}'s first block (rows of {@code rowBlocks} blocks), in either layout. */
    private long rowAt(long row, int rowBlocks) {
        return physicalBlock(row * rowBlocks) * type.typeSize();
    }

    /** Bytes from one block of a row to the next. */
    private long blockStride() {
        return interleaved() ? 4L * type.typeSize() : type.typeSize();
    }

    /** Bytes from a row of a four-row tile (starting at a multiple of four) to the next. */
    private long rowStride(int rowBlocks) {
        return interleaved() ? type.typeSize() : (long) rowBlocks * type.typeSize();
    }

    /**
     * With a {@link #tileKernel()}: the rows go four at a time against groups of four entries
     * (each decoded weight block used for four entries or more, each activation load for four rows),
     * leftover entries in pairs, then one at a time — four rows against them when the rows are
     * interleaved, one row otherwise.
     * The rows go in blocks of about {@link #ROW_BLOCK_BYTES}: each block is read from memory once
     * and serves every entry from cache. Bit-identical to {@link #dot} per entry either way.
     */
    @Override
    public final void matmul(int rowStart, int rowEnd, int n, float[][] in, int batchSize, float[][] out) {
        TileKernel tiles = tileKernel();
        if (tiles == null || n % blockSize != 0 || interleaved() && n != interleavedRowBlocks * blockSize
                || interleaved() && rowStart % 4 != 0) {
            super.matmul(rowStart, rowEnd, n, in, batchSize, out);
            return;
        }
        int blocks = n / blockSize;
        Objects.checkFromToIndex((long) rowStart * n, (long) rowEnd * n, size);
        long rowBytes = (long) blocks * type.typeSize();
        int blockRows = (int) Math.max(4, ROW_BLOCK_BYTES / rowBytes / 4 * 4);
        int fullEnd = rowStart + (rowEnd - rowStart) / 4 * 4;
        for (int from = rowStart; from < fullEnd; from += blockRows) {
            tileRows(tiles, blocks, from, Math.min(fullEnd, from + blockRows), in, batchSize, out);
        }
        long stride = blockStride();
        for (int r = fullEnd; r < rowEnd; r++) {
            for (int b = 0; b < batchSize; b++) {
                out[b][r] = tiles.dot(data, rowAt(r, blocks), stride, in[b], 0, blocks);
            }
        }
    }

    /**
     * Weight bytes of the rows one pass of {@link #matmul} takes through all entries before moving
     * on: small enough to stay in L2 (1 MiB on Zen 5, 256 KiB on older cores) beside the
     * activations while every group of four entries reads them.
     */
    static final int ROW_BLOCK_BYTES = 128 * 1024;

    /** Rows [from, to) (whole tiles of four) of W @ X for every entry, entries outermost. */
    private void tileRows(TileKernel tiles, int blocks, int from, int to, float[][] in, int batchSize, float[][] out) {
        long stride = blockStride();
        long rowStride = rowStride(blocks);
        int e = 0;
        int perCall = tiles.groupsPerCall();
        int fewest = tiles.fewestGroups();
        while ((batchSize - e) / 4 >= fewest) {
            int groups = Math.min(perCall, (batchSize - e) / 4);
            for (int r = from; r < to; r += 4) {
                tiles.rows4x4(data, rowAt(r, blocks), stride, rowStride, in, e, groups, blocks, out, r);
            }
            e += 4 * groups;
        }
        for (; e + 2 <= batchSize; e += 2) {
            float[] x0 = in[e], x1 = in[e + 1];
            float[] o0 = out[e], o1 = out[e + 1];
            if (interleaved()) {
                for (int r = from; r < to; r += 4) {
                    tiles.rows4x2(data, rowAt(r, blocks), stride, rowStride, x0, x1, blocks, o0, o1, r);
                }
            } else {
                for (int r = from; r < to; r++) {
                    tiles.row1x2(data, rowAt(r, blocks), stride, x0, x1, blocks, o0, o1, r);
                }
            }
        }
        for (; e < batchSize; e++) {
            float[] x = in[e];
            float[] o = out[e];
            if (interleaved()) {
                for (int r = from; r < to; r += 4) {
                    tiles.rows4x1(data, rowAt(r, blocks), stride, rowStride, x, blocks, o, r);
                }
            } else {
                // one row at a time: four rows read as four strided streams from DRAM ran at half the speed
                for (int r = from; r < to; r++) {
                    o[r] = tiles.dot(data, rowAt(r, blocks), stride, x, 0, blocks);
                }
            }
        }
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
            long first = offset / blockSize;
            int blocks = length / blockSize;
            int rb = interleavedRowBlocks;
            if (tiles != null && rb == 0) {
                return tiles.dot(data, first * type.typeSize(), type.typeSize(), x, xOffset, blocks);
            }
            if (tiles != null && first % rb + blocks <= rb) { // within one interleaved row
                return tiles.dot(data, physicalBlock(first) * type.typeSize(), blockStride(), x, xOffset, blocks);
            }
            RowKernel kernel = rowKernel();
            if (kernel != null && rb == 0) {
                return kernel.dot(data, first, x, xOffset, blocks);
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
