package org.sparrowmesh.decoder.engine.tensor;

import static org.sparrowmesh.decoder.engine.tensor.Quantizer.putF16;
import static org.sparrowmesh.decoder.engine.tensor.Quantizer.putInt;

/**
 * The 32-value block quantizers, one block per call, following ggml's
 * {@code quantize_row_q*_ref} step by step so that the bytes are the ones ggml writes: the
 * same float operations in the same order, the same truncating and rounding conversions. The
 * quants are computed with the float scale; only the stored scale is rounded to F16.
 */
final class LegacyQuantizers {

    private LegacyQuantizers() {
    }

    /** Q8_0: d = max|x| / 127, q = round-half-away(x / d). */
    static void q8_0(float[] x, int xo, byte[] y, int yo) {
        float amax = 0f;
        for (int j = 0; j < 32; j++) {
            float a = Math.abs(x[xo + j]);
            amax = amax > a ? amax : a;
        }
        float d = amax / 127;
        float id = d != 0 ? 1.0f / d : 0.0f;
        putF16(y, yo, d);
        for (int j = 0; j < 32; j++) {
            y[yo + 2 + j] = (byte) roundHalfAway(x[xo + j] * id);
        }
    }

    /**
     * Q4_0: the value of largest magnitude (signed, first one on ties) maps to −8, so
     * d = max / −8 and q = min(15, trunc(x / d + 8.5)).
     */
    static void q4_0(float[] x, int xo, byte[] y, int yo) {
        float max = signedAbsMax(x, xo);
        float d = max / -8;
        float id = d != 0 ? 1.0f / d : 0.0f;
        putF16(y, yo, d);
        for (int j = 0; j < 16; j++) {
            int q0 = Math.min(15, (byte) (int) (x[xo + j] * id + 8.5f));
            int q1 = Math.min(15, (byte) (int) (x[xo + 16 + j] * id + 8.5f));
            y[yo + 2 + j] = (byte) (q0 | q1 << 4);
        }
    }

    /** Q4_1: d = (max − min) / 15, m = min, q = min(15, trunc((x − m) / d + 0.5)). */
    static void q4_1(float[] x, int xo, byte[] y, int yo) {
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (int j = 0; j < 32; j++) {
            float v = x[xo + j];
            if (v < min) {
                min = v;
            }
            if (v > max) {
                max = v;
            }
        }
        float d = (max - min) / 15;
        float id = d != 0 ? 1.0f / d : 0.0f;
        putF16(y, yo, d);
        putF16(y, yo + 2, min);
        for (int j = 0; j < 16; j++) {
            int q0 = Math.min(15, (byte) (int) ((x[xo + j] - min) * id + 0.5f));
            int q1 = Math.min(15, (byte) (int) ((x[xo + 16 + j] - min) * id + 0.5f));
            y[yo + 4 + j] = (byte) (q0 | q1 << 4);
        }
    }

    /** Q5_0: as Q4_0 with 5 bits: d = max / −16, q = min(31, trunc(x / d + 16.5)). */
    static void q5_0(float[] x, int xo, byte[] y, int yo) {
        float max = signedAbsMax(x, xo);
        float d = max / -16;
        float id = d != 0 ? 1.0f / d : 0.0f;
        putF16(y, yo, d);
        int qh = 0;
        for (int j = 0; j < 16; j++) {
            int q0 = Math.min(31, (byte) (int) (x[xo + j] * id + 16.5f));
            int q1 = Math.min(31, (byte) (int) (x[xo + 16 + j] * id + 16.5f));
            y[yo + 6 + j] = (byte) ((q0 & 0xF) | (q1 & 0xF) << 4);
            qh |= (q0 >>> 4 & 1) << j;
            qh |= (q1 >>> 4 & 1) << (j + 16);
        }
        putInt(y, yo + 2, qh);
    }

    /** Q5_1: d = (max − min) / 31, m = min, q = trunc((x − m) / d + 0.5) (ggml clamps nothing here). */
    static void q5_1(float[] x, int xo, byte[] y, int yo) {
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (int j = 0; j < 32; j++) {
            float v = x[xo + j];
            if (v < min) {
                min = v;
            }
            if (v > max) {
                max = v;
            }
        }
        float d = (max - min) / 31;
        float id = d != 0 ? 1.0f / d : 0.0f;
        putF16(y, yo, d);
        putF16(y, yo + 2, min);
        int qh = 0;
        for (int j = 0; j < 16; j++) {
            int q0 = (int) ((x[xo + j] - min) * id + 0.5f) & 0xFF;
            int q1 = (int) ((x[xo + 16 + j] - min) * id + 0.5f) & 0xFF;
            y[yo + 8 + j] = (byte) ((q0 & 0xF) | (q1 & 0xF) << 4);
            qh |= (q0 >>> 4 & 1) << j;
            qh |= (q1 >>> 4 & 1) << (j + 16);
        }
        putInt(y, yo + 4, qh);
    }

    /** The value of largest magnitude with its sign; the first one wins a tie, as in ggml. */
    private static float signedAbsMax(float[] x, int xo) {
        float amax = 0f;
        float max = 0f;
        for (int j = 0; j < 32; j++) {
            float v = x[xo + j];
            if (amax < Math.abs(v)) {
                amax = Math.abs(v);
                max = v;
            }
        }
        return max;
    }

    /** C's {@code roundf}: halves go away from zero (Math.round would send −2.5 to −2). */
    static int roundHalfAway(float v) {
        double a = Math.floor(Math.abs((double) v) + 0.5); // exact in double for any float
        return (int) (v < 0 ? -a : a);
    }
}
