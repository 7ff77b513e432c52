package org.sparrowmesh.decoder.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

import org.sparrowmesh.decoder.engine.gguf.GgmlType;

/**
 * Encodes floats as any supported ggml type, writing the bytes ggml's reference quantizers
 * ({@code quantize_row_*_ref}, what {@code llama-quantize} uses without an importance matrix)
 * write for the same input, and decodes them back through the tensor views.
 *
 * <pre>{@code
 * byte[] q = Quantizer.quantize(GgmlType.Q4_K, weights);      // weights.length % 256 == 0
 * float[] back = Quantizer.dequantize(GgmlType.Q4_K, q);
 * }</pre>
 *
 * <p>Blocks are independent, so a long tensor may be quantized chunk by chunk (any chunk of
 * whole blocks) with the same result.
 */
public final class Quantizer {

    private Quantizer() {
    }

    /** {@link #quantize(GgmlType, float[], int, int)} of the whole array. */
    public static byte[] quantize(GgmlType type, float[] values) {
        return quantize(type, values, 0, values.length);
    }

    /**
     * Encodes {@code values[offset … offset + length)} as {@code type}.
     *
     * @throws IllegalArgumentException      when {@code length} is not a whole number of the type's
     *                                       blocks, or a block-quantized type is given a value that
     *                                       is not finite (ggml's result would be undefined)
     * @throws UnsupportedOperationException when the type is not one the engine supports
     */
    public static byte[] quantize(GgmlType type, float[] values, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, values.length);
        if (!type.supported()) {
            throw new UnsupportedOperationException("cannot quantize to " + type
                    + " (supported: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K)");
        }
        long bytes = type.byteSize(length); // throws naming the type when not whole blocks
        if (bytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(length + " values of " + type + " take " + bytes
                    + " bytes, more than one array holds: quantize in chunks");
        }
        byte[] out = new byte[(int) bytes];
        int blockSize = type.blockSize();
        int typeSize = type.typeSize();
        if (blockSize > 1) {
            for (int i = 0; i < length; i++) {
                if (!Float.isFinite(values[offset + i])) {
                    throw new IllegalArgumentException("value " + i + " = " + values[offset + i]
                            + " is not finite; " + type + " can only store finite values");
                }
            }
        }
        int blocks = length / blockSize;
        for (int b = 0; b < blocks; b++) {
            int x = offset + b * blockSize;
            int y = b * typeSize;
            switch (type) {
                case F32 -> putInt(out, y, Float.floatToRawIntBits(values[x]));
                case F16 -> putShort(out, y, HalfFloats.toF16(values[x]));
                case BF16 -> putShort(out, y, HalfFloats.toBF16(values[x]));
                case Q8_0 -> LegacyQuantizers.q8_0(values, x, out, y);
                case Q4_0 -> LegacyQuantizers.q4_0(values, x, out, y);
                case Q4_1 -> LegacyQuantizers.q4_1(values, x, out, y);
                case Q5_0 -> LegacyQuantizers.q5_0(values, x, out, y);
                case Q5_1 -> LegacyQuantizers.q5_1(values, x, out, y);
                case Q4_K -> KQuantizers.q4_K(values, x, out, y);
                case Q5_K -> KQuantizers.q5_K(values, x, out, y);
                case Q6_K -> KQuantizers.q6_K(values, x, out, y);
                default -> throw new AssertionError(type);
            }
        }
        return out;
    }

    /**
     * Decodes bytes of {@code type} into floats, exactly as the tensor view of those bytes reads.
     *
     * @throws IllegalArgumentException when the bytes are not a whole number of blocks
     */
    public static float[] dequantize(GgmlType type, byte[] data) {
        FloatTensor view = FloatTensor.of(type, MemorySegment.ofArray(data));
        float[] out = new float[Math.toIntExact(view.size())];
        view.dequantize(0, out, 0, out.length);
        return out;
    }

    static void putShort(byte[] out, int at, short value) {
        out[at] = (byte) value;
        out[at + 1] = (byte) (value >>> 8);
    }

    static void putF16(byte[] out, int at, float value) {
        putShort(out, at, HalfFloats.toF16(value));
    }

    static void putInt(byte[] out, int at, int value) {
        out[at] = (byte) value;
        out[at + 1] = (byte) (value >>> 8);
        out[at + 2] = (byte) (value >>> 16);
        out[at + 3] = (byte) (value >>> 24);
    }
}
