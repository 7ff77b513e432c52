package org.sparrowmesh.decoder.engine.tensor;

import static org.sparrowmesh.decoder.engine.tensor.Quantizer.putF16;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The k-quant quantizers (super-blocks of 256 values), one super-block per call, following
 * ggml's {@code quantize_row_q4_K_ref}, {@code q5_K_ref} and {@code q6_K_ref} with their helpers
 * {@code make_qkx2_quants} (scale and min by a small grid search over weighted least squares)
 * and {@code make_qx_quants} (symmetric scale, likewise). Every float operation keeps ggml's
 * order, so the bytes match what ggml's reference writes (as its C source reads, without the
 * multiply-add fusion a compiler may add).
 *
 * <p>This is where the writer spends its time: each 32-value sub-block of Q4_K is re-quantized
 * 21 times by the grid search.
 */
final class KQuantizers {

    private static final float GROUP_MAX_EPS = 1e-15f;

    private KQuantizers() {
    }

    /** Q4_K: eight 32-value sub-blocks, 4-bit quants, 6-bit scales and mins under F16 d and dmin. */
    static void q4_K(float[] x, int xo, byte[] y, int yo) {
        int[] levels = new int[256];
        scalesAndMins(x, xo, y, yo, levels, 15, -1f, 0.1f, 20);
        for (int g = 0; g < 4; g++) {
            for (int l = 0; l < 32; l++) {
                y[yo + 16 + 32 * g + l] = (byte) (levels[64 * g + l] | levels[64 * g + 32 + l] << 4);
            }
        }
    }

    /** Q5_K: as Q4_K with 5-bit quants, the fifth bits gathered in 32 bytes of qh. */
    static void q5_K(float[] x, int xo, byte[] y, int yo) {
        int[] levels = new int[256];
        scalesAndMins(x, xo, y, yo, levels, 31, -0.5f, 0.1f, 15);
        Arrays.fill(y, yo + 16, yo + 48, (byte) 0);
        for (int g = 0; g < 4; g++) {
            for (int l = 0; l < 32; l++) {
                int q1 = levels[64 * g + l];
                int q2 = levels[64 * g + 32 + l];
                y[yo + 16 + l] |= (byte) ((q1 >>> 4) << (2 * g) | (q2 >>> 4) << (2 * g + 1));
                y[yo + 48 + 32 * g + l] = (byte) ((q1 & 0xF) | (q2 & 0xF) << 4);
            }
        }
    }

    /**
     * The part Q4_K and Q5_K share: per sub-block a scale and min from {@code make_qkx2_quants}
     * (weights √(mean x²) + |x|), both quantized to 6 bits against the largest, packed into the 12
     * scale bytes at {@code yo + 4}; then every value re-quantized against the stored scales.
     * Leaves the levels 0…nmax in {@code levels}.
     */
    private static void scalesAndMins(float[] x, int xo, byte[] y, int yo, int[] levels, int nmax,
            float rmin, float rdelta, int nstep) {
        float[] weights = new float[32];
        int[] aux = new int[32];
        float[] scales = new float[8];
        float[] mins = new float[8];
        float maxScale = 0;
        float maxMin = 0;
        for (int j = 0; j < 8; j++) {
            float sumX2 = 0;
            for (int l = 0; l < 32; l++) {
                sumX2 += x[xo + 32 * j + l] * x[xo + 32 * j + l];
            }
            float avX = (float) Math.sqrt(sumX2 / 32);
            for (int l = 0; l < 32; l++) {
                weights[l] = avX + Math.abs(x[xo + 32 * j + l]);
            }
            scales[j] = makeQkx2Quants(32, nmax, x, xo + 32 * j, weights, levels, 32 * j, mins, j, aux,
                    rmin, rdelta, nstep, false);
            if (scales[j] > maxScale) {
                maxScale = scales[j];
            }
            if (mins[j] > maxMin) {
                maxMin = mins[j];
            }
        }

        float invScale = maxScale > 0 ? 63.f / maxScale : 0.f;
        float invMin = maxMin > 0 ? 63.f / maxMin : 0.f;
        int[] packed = new int[12];
        for (int j = 0; j < 8; j++) {
            // ggml stores nearest_int into a uint8_t before clamping: keep the wrap-around
            int ls = Math.min(63, nearestInt(invScale * scales[j]) & 0xFF);
            int lm = Math.min(63, nearestInt(invMin * mins[j]) & 0xFF);
            if (j < 4) {
                packed[j] = ls;
                packed[j + 4] = lm;
            } else {
                packed[j + 4] = (ls & 0xF) | (lm & 0xF) << 4;
                packed[j - 4] |= (ls >>> 4) << 6;
                packed[j] |= (lm >>> 4) << 6;
            }
        }
        for (int i = 0; i < 12; i++) {
            y[yo + 4 + i] = (byte) packed[i];
        }
        putF16(y, yo, maxScale / 63.f);
        putF16(y, yo + 2, maxMin / 63.f);

        MemorySegment block = MemorySegment.ofArray(y);
        float d = HalfFloats.roundToF16(maxScale / 63.f);
        float dmin = HalfFloats.roundToF16(maxMin / 63.f);
        for (int j = 0; j < 8; j++) {
            float dj = d * Q4_KTensor.scale(block, yo + 4, j);
            if (dj == 0) {
                continue; // ggml keeps the levels of the search for a sub-block whose scale is 0
            }
            float mj = dmin * Q4_KTensor.min(block, yo + 4, j);
            for (int l = 0; l < 32; l++) {
                int q = nearestInt((x[xo + 32 * j + l] + mj) / dj);
                levels[32 * j + l] = Math.max(0, Math.min(nmax, q));
            }
        }
    }

    /**
     * Q6_K: sixteen 16-value sub-blocks with symmetric scales from {@code make_qx_quants}, the
     * scales quantized to signed 8 bits against the largest in magnitude (which maps to −128).
     */
    static void q6_K(float[] x, int xo, byte[] y, int yo) {
        int[] levels = new int[256];
        float[] scales = new float[16];
        float maxScale = 0;
        float maxAbsScale = 0;
        for (int ib = 0; ib < 16; ib++) {
            float scale = makeQxQuants(16, 32, x, xo + 16 * ib, levels, 16 * ib);
            scales[ib] = scale;
            float abs = Math.abs(scale);
            if (abs > maxAbsScale) {
                maxAbsScale = abs;
                maxScale = scale;
            }
        }
        if (maxAbsScale < GROUP_MAX_EPS) {
            Arrays.fill(y, yo, yo + 210, (byte) 0);
            return;
        }
        float iscale = -128.f / maxScale;
        putF16(y, yo + 208, 1 / iscale);
        float d = HalfFloats.roundToF16(1 / iscale);
        for (int ib = 0; ib < 16; ib++) {
            y[yo + 192 + ib] = (byte) Math.min(127, nearestInt(iscale * scales[ib]));
        }
        for (int j = 0; j < 16; j++) {
            float dj = d * y[yo + 192 + j];
            if (dj == 0) {
                continue;
            }
            for (int l = 0; l < 16; l++) {
                int q = nearestInt(x[xo + 16 * j + l] / dj);
                levels[16 * j + l] = Math.max(-32, Math.min(31, q)) + 32;
            }
        }
        for (int half = 0; half < 2; half++) {
            int ql = yo + 64 * half;
            int qh = yo + 128 + 32 * half;
            int base = 128 * half;
            for (int l = 0; l < 32; l++) {
                int q1 = levels[base + l];
                int q2 = levels[base + l + 32];
                int q3 = levels[base + l + 64];
                int q4 = levels[base + l + 96];
                y[ql + l] = (byte) ((q1 & 0xF) | (q3 & 0xF) << 4);
                y[ql + l + 32] = (byte) ((q2 & 0xF) | (q4 & 0xF) << 4);
                y[qh + l] = (byte) (q1 >>> 4 | (q2 >>> 4) << 2 | (q3 >>> 4) << 4 | (q4 >>> 4) << 6);
            }
        }
    }

    /**
     * ggml's {@code nearest_int}: adding 1.5·2²³ leaves the rounded integer (to nearest, ties to
     * even) in the low mantissa bits. Exact for |f| ≤ 2²² − 1; outside that range it gives the same
     * garbage ggml gives, which the callers clamp.
     */
    static int nearestInt(float f) {
        int bits = Float.floatToRawIntBits(f + 12582912.f);
        return (bits & 0x007fffff) - 0x00400000;
    }

    /**
     * ggml's {@code make_qkx2_quants}: levels 0…nmax for x ≈ scale·level − min. Starts from the
     * range [min(x, 0), max(x)], then tries nstep + 1 stretched grids, each solving the weighted
     * least squares for scale and min, and keeps the one of least weighted squared error.
     * Returns the scale; stores the (positive) min into {@code minOut[minAt]}.
     */
    private static float makeQkx2Quants(int n, int nmax, float[] x, int xo, float[] weights, int[] levels, int lo,
            float[] minOut, int minAt, int[] aux, float rmin, float rdelta, int nstep, boolean useMad) {
        float min = x[xo];
        float max = x[xo];
        float sumW = weights[0];
        float sumX = sumW * x[xo];
        for (int i = 1; i < n; i++) {
            float v = x[xo + i];
            if (v < min) {
                min = v;
            }
            if (v > max) {
                max = v;
            }
            float w = weights[i];
            sumW += w;
            sumX += w * v;
        }
        if (min > 0) {
            min = 0;
        }
        if (max == min) {
            for (int i = 0; i < n; i++) {
                levels[lo + i] = 0;
            }
            minOut[minAt] = -min;
            return 0.f;
        }
        float iscale = nmax / (max - min);
        float scale = 1 / iscale;
        float bestError = 0;
        for (int i = 0; i < n; i++) {
            int l = nearestInt(iscale * (x[xo + i] - min));
            levels[lo + i] = Math.max(0, Math.min(nmax, l));
            float diff = scale * levels[lo + i] + min - x[xo + i];
            diff = useMad ? Math.abs(diff) : diff * diff;
            bestError += weights[i] * diff;
        }
        if (nstep < 1) {
            minOut[minAt] = -min;
            return scale;
        }
        for (int is = 0; is <= nstep; is++) {
            iscale = (rmin + rdelta * is + nmax) / (max - min);
            float sumL = 0;
            float sumL2 = 0;
            float sumXL = 0;
            for (int i = 0; i < n; i++) {
                int l = nearestInt(iscale * (x[xo + i] - min));
                l = Math.max(0, Math.min(nmax, l));
                aux[i] = l;
                float w = weights[i];
                sumL += w * l;
                sumL2 += w * l * l;
                sumXL += w * l * x[xo + i];
            }
            float det = sumW * sumL2 - sumL * sumL;
            if (det > 0) {
                float thisScale = (sumW * sumXL - sumX * sumL) / det;
                float thisMin = (sumL2 * sumX - sumL * sumXL) / det;
                if (thisMin > 0) {
                    thisMin = 0;
                    thisScale = sumXL / sumL2;
                }
                float error = 0;
                for (int i = 0; i < n; i++) {
                    float diff = thisScale * aux[i] + thisMin - x[xo + i];
                    diff = useMad ? Math.abs(diff) : diff * diff;
                    error += weights[i] * diff;
                }
                if (error < bestError) {
                    System.arraycopy(aux, 0, levels, lo, n);
                    bestError = error;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        minOut[minAt] = -min;
        return scale;
    }

    /**
     * ggml's {@code make_qx_quants} with {@code rmse_type} 1 and no importance weights: levels
     * −nmax…nmax−1 (stored + nmax) for x ≈ scale·level with weights x². The largest value in
     * magnitude maps to −nmax; 18 slightly different grids are tried and the one maximising
     * (Σwxl)²/Σwl² (least squared error at its optimal scale) is kept. Returns the scale.
     */
    private static float makeQxQuants(int n, int nmax, float[] x, int xo, int[] levels, int lo) {
        float max = 0;
        float amax = 0;
        for (int i = 0; i < n; i++) {
            float ax = Math.abs(x[xo + i]);
            if (ax > amax) {
                amax = ax;
                max = x[xo + i];
            }
        }
        if (amax < GROUP_MAX_EPS) {
            for (int i = 0; i < n; i++) {
                levels[lo + i] = 0;
            }
            return 0.f;
        }
        float iscale = -nmax / max;
        float sumLX = 0;
        float sumL2 = 0;
        for (int i = 0; i < n; i++) {
            float v = x[xo + i];
            int l = nearestInt(iscale * v);
            l = Math.max(-nmax, Math.min(nmax - 1, l));
            levels[lo + i] = l + nmax;
            float w = v * v;
            sumLX += w * v * l;
            sumL2 += w * l * l;
        }
        float scale = sumL2 != 0 ? sumLX / sumL2 : 0.0f;
        float best = scale * sumLX;
        for (int is = -9; is <= 9; is++) {
            if (is == 0) {
                continue;
            }
            iscale = -(nmax + 0.1f * is) / max;
            sumLX = 0;
            sumL2 = 0;
            for (int i = 0; i < n; i++) {
                float v = x[xo + i];
                int l = nearestInt(iscale * v);
                l = Math.max(-nmax, Math.min(nmax - 1, l));
                float w = v * v;
                sumLX += w * v * l;
                sumL2 += w * l * l;
            }
            if (sumL2 > 0 && sumLX * sumLX > best * sumL2) {
                for (int i = 0; i < n; i++) {
                    int l = nearestInt(iscale * x[xo + i]);
                    levels[lo + i] = nmax + Math.max(-nmax, Math.min(nmax - 1, l));
                }
                scale = sumLX / sumL2;
                best = scale * sumLX;
            }
        }
        return scale;
    }
}
