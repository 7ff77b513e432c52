package org.sparrowmesh.decoder.engine.tensor;

/**
 * Conversions between 32-bit floats and the two 16-bit float formats of ggml, rounding the way
 * ggml does so that a file we write holds the bits ggml would have written.
 *
 * <ul>
 *   <li>F16 (IEEE binary16): round to nearest even, as the F16C instruction and ggml's portable
 *       fallback do; a NaN becomes the canonical quiet NaN {@code 0x7E00} with its sign, as in the
 *       fallback (the JDK's conversion would keep payload bits).</li>
 *   <li>BF16 (the upper half of a float): round to nearest even on the 16 dropped bits, a NaN is
 *       forced quiet by setting bit 6 — ggml's {@code ggml_compute_fp32_to_bf16}; subnormals are
 *       kept, as in current ggml.</li>
 * </ul>
 */
public final class HalfFloats {

    private HalfFloats() {
    }

    /** The F16 bits of {@code value}, rounded to nearest even. */
    public static short toF16(float value) {
        if (Float.isNaN(value)) {
            return (short) ((Float.floatToRawIntBits(value) >>> 16 & 0x8000) | 0x7E00);
        }
        return Float.floatToFloat16(value);
    }

    /** The float an F16 value stands for (exact: every F16 is a float). */
    public static float fromF16(short bits) {
        return Float.float16ToFloat(bits);
    }

    /** {@code value} rounded to F16 and back: what a scale is worth once stored in a block. */
    public static float roundToF16(float value) {
        return Float.float16ToFloat(toF16(value));
    }

    /** The BF16 bits of {@code value}, rounded to nearest even. */
    public static short toBF16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if ((bits & 0x7fffffff) > 0x7f800000) {
            return (short) ((bits >>> 16) | 64);
        }
        // adding 0x7fff plus the lowest kept bit carries into the kept half exactly when the
        // dropped half is above one half, or equal to it with an odd kept half
        return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
    }

    /** The float a BF16 value stands for: its bits shifted into the upper half. */
    public static float fromBF16(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }
}
