package org.sparrowmesh.decoder.engine.tensor;

import org.sparrowmesh.decoder.engine.gguf.GgmlType;
import org.sparrowmesh.decoder.engine.gguf.TensorInfo;

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

    /** Decodes {@code length} elements starting at {@code offset} into {@code out[outOffset…]}. */
    public void dequantize(long offset, float[] out, int outOffset, int length) {
        for (int i = 0; i < length; i++) {
            out[outOffset + i] = getFloat(offset + i);
        }
    }

    /**
     * The view of a GGUF tensor for its type.
     *
     * @throws UnsupportedOperationException naming the type when the engine cannot decode it
     */
    public static FloatTensor of(TensorInfo tensor) {
        return switch (tensor.type()) {
            case F32 -> new F32Tensor(tensor.data());
            default -> throw new UnsupportedOperationException("tensor " + tensor.name() + " has type "
                    + tensor.type() + ", which this engine does not decode");
        };
    }
}
