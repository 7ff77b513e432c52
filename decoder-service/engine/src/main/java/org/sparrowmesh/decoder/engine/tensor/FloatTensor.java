package org.sparrowmesh.decoder.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.function.LongFunction;

import org.sparrowmesh.decoder.engine.gguf.GgmlType;
import org.sparrowmesh.decoder.engine.gguf.TensorInfo;
import org.sparrowmesh.decoder.engine.kernels.RowKernel;

/**
 * A read-only view of a tensor's values as floats, whatever its storage type: each subclass
 * decodes one ggml type straight from the memory-mapped file, so weights are never copied.
 * Element {@code i} of a matrix with rows of {@code n} values is row {@code i / n}, column
 * {@code i % n} (ggml order).
 *
 * <p>Subclasses override {@link #dot} and {@link #dequantize} for speed; the defaults here go
 * through {@link #getFloat} and are the scalar reference.
 */
public abstract class FloatTensor {

    /** Number of elements. */
    public abstract long size();

    /** The storage type. */
    public abstract GgmlType type();

    /** Element {@code index}, decoded exactly as ggml's dequantize_row_* does. */
    public abstract float getFloat(long index);

    /**
     * Σ this[offset + i] · x[xOffset + i] for i in [0, length) — the inner loop of every
     * matrix × vector product, where most time is spent.
     */
    public float dot(long offset, float[] x, int xOffset, int length) {
        float sum = 0f;
        for (int i = 0; i < length; i++) {
            sum += getFloat(offset + i) * x[xOffset + i];
        }
        return sum;
    }

    /**
     * One output row of W @ X for a batch: {@code out[b][row] = Σ_j this[row·n + j] · in[b][j]}
     * for every b below {@code batchSize}. With a vector {@link #rowKernel()} the row is read once
     * per four entries, or decoded once for all of eight or more when the kernel {@link
     * RowKernel#decodes()} (bit-identical to {@link #dot} per entry either way); otherwise {@link
     * #dot} per entry.
     */
    public void dotRows(int row, int n, float[][] in, int batchSize, float[][] out) {
        RowKernel kernel = rowKernel();
        int unit = kernelUnit();
        if (kernel == null || batchSize < 4 || n % unit != 0) {
            long offset = (long) row * n;
            for (int b = 0; b < batchSize; b++) {
                out[b][row] = dot(offset, in[b], 0, n);
            }
            return;
        }
        int units = n / unit;
        long first = (long) row * units;
        Objects.checkFromIndexSize(first * unit, n, size());
        MemorySegment data = kernelData();
        float[] four = FOUR.get();
        float[] w = kernel.decodes() && batchSize >= DECODED_BATCH ? decodedRow(n) : null;
        if (w != null) {
            kernel.decode(data, first, units, w);
        }
        int b = 0;
        for (; b + 4 <= batchSize; b += 4) {
            if (w != null) {
                kernel.dotDecoded4(w, in[b], in[b + 1], in[b + 2], in[b + 3], units, four);
            } else {
                kernel.dot4(data, first, in[b], in[b + 1], in[b + 2], in[b + 3], 0, units, four);
            }
            out[b][row] = four[0];
            out[b + 1][row] = four[1];
            out[b + 2][row] = four[2];
            out[b + 3][row] = four[3];
        }
        for (; b < batchSize; b++) {
            out[b][row] = kernel.dot(data, first, in[b], 0, units);
        }
    }

    /**
     * Rows [rowStart, rowEnd) of W @ X for a batch: {@code out[b][row] = Σ_j this[row·n + j] ·
     * in[b][j]} — what one worker does with its share of a matrix product. Here one row at a
     * time ({@link #dotRows}); the block types with register-tiled kernels override it.
     */
    public void matmul(int rowStart, int rowEnd, int n, float[][] in, int batchSize, float[][] out) {
        for (int r = rowStart; r < rowEnd; r++) {
            dotRows(r, n, in, batchSize, out);
        }
    }

    /**
     * This tensor as a matrix with rows of {@code rowLength} values, in the layout its kernels read
     * fastest: a copy in memory from {@code allocator} (Q8_0 and Q4_0 rows interleaved four by four
     * when their tiled kernels run), or this view itself when the stored layout is already best.
     * Values and results are the same either way.
     */
    public FloatTensor forMatmul(int rowLength, LongFunction<MemorySegment> allocator) {
        return this;
    }

    private static final ThreadLocal<float[]> FOUR = ThreadLocal.withInitial(() -> new float[4]);

    /**
     * The fewest entries for which a row is decoded once to floats when its kernel {@link
     * RowKernel#decodes()}: below eight, {@link RowKernel#dot4} decodes it once per four entries
     * anyway, and the stored floats would only add a round trip.
     */
    static final int DECODED_BATCH = 8;

    /** Per thread: room for one decoded row, grown to the widest row seen (then never again). */
    private static final ThreadLocal<float[][]> DECODED_ROW = ThreadLocal.withInitial(() -> new float[1][0]);

    private static float[] decodedRow(int n) {
        float[][] holder = DECODED_ROW.get();
        if (holder[0].length < n) {
            holder[0] = new float[n];
        }
        return holder[0];
    }

    /** The Vector API kernel of this type when the provider enabled it, else null (scalar reference). */
    RowKernel rowKernel() {
        return null;
    }

    /** Values per kernel unit: 1 for float types, the block size for quantized ones. */
    int kernelUnit() {
        return 1;
    }

    /** The bytes the kernel reads (only called when {@link #rowKernel()} is not null). */
    MemorySegment kernelData() {
        throw new UnsupportedOperationException(type() + " has no vector kernel");
    }

    /** Decodes {@code length} elements starting at {@code offset} into {@code out[outOffset…]}. */
    public void dequantize(long offset, float[] out, int outOffset, int length) {
        for (int i = 0; i < length; i++) {
            out[outOffset + i] = getFloat(offset + i);
        }
    }

    /**
     * The view of a GGUF tensor for its type.
     *
     * @throws UnsupportedOperationException naming the tensor and its type when the engine cannot
     *                                       decode that type
     */
    public static FloatTensor of(TensorInfo tensor) {
        if (!tensor.type().supported()) {
            throw new UnsupportedOperationException("tensor " + tensor.name() + " has type "
                    + tensor.type() + ", which this engine does not decode");
        }
        return of(tensor.type(), tensor.data());
    }

    /**
     * A view of {@code data} as values of {@code type}: a mapped file slice or, for tests and the
     * writer, {@code MemorySegment.ofArray(bytes)}.
     *
     * @throws UnsupportedOperationException naming the type when the engine cannot decode it
     * @throws IllegalArgumentException      when the bytes are not a whole number of blocks
     */
    public static FloatTensor of(GgmlType type, MemorySegment data) {
        return switch (type) {
            case F32 -> new F32Tensor(data);
            case F16 -> new F16Tensor(data);
            case BF16 -> new BF16Tensor(data);
            case Q8_0 -> new Q8_0Tensor(data);
            case Q4_0 -> new Q4_0Tensor(data);
            case Q4_1 -> new Q4_1Tensor(data);
            case Q5_0 -> new Q5_0Tensor(data);
            case Q5_1 -> new Q5_1Tensor(data);
            case Q4_K -> new Q4_KTensor(data);
            case Q5_K -> new Q5_KTensor(data);
            case Q6_K -> new Q6_KTensor(data);
            default -> throw new UnsupportedOperationException("type " + type + " is not decoded by this engine"
                    + " (supported: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K)");
        };
    }
}
