package org.sparrowmesh.decoder.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import org.sparrowmesh.decoder.engine.gguf.GgmlType;

/**
 * The error a type may make on values, checked block by block: for the 32-value types a bound
 * derived from the block's scale (half a step, a whole step where the top level is clamped away,
 * plus what rounding the scale and min to F16 adds), for the k-quants a bound relative to the
 * block's largest magnitude, for the float types their rounding.
 */
public final class QuantizationError {

    private QuantizationError() {
    }

    /** Asserts {@code decoded} is within the type's error of {@code original}; describes the failure with {@code context}. */
    public static void assertWithinBound(GgmlType type, float[] original, float[] decoded, String context) {
        assertThat(decoded).as(context).hasSameSizeAs(original);
        int block = type.blockSize() == 1 ? 32 : type.blockSize();
        for (int start = 0; start < original.length; start += block) {
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            float amax = 0;
            for (int i = start; i < start + block; i++) {
                min = Math.min(min, original[i]);
                max = Math.max(max, original[i]);
                amax = Math.max(amax, Math.abs(original[i]));
            }
            for (int i = start; i < start + block; i++) {
                float x = original[i];
                float bound = switch (type) {
                    case F32 -> 0;
                    case F16 -> f16Error(x);
                    case BF16 -> Math.abs(x) * 0x1p-8f;
                    // d = amax/127, |q| ≤ 127: half a step, plus |q| times the rounding of d to F16
                    case Q8_0 -> halfStepPlusScaleRounding(amax / 127, 127, 0.5f);
                    // the value of largest magnitude maps to −8 (−16); its opposite is clamped to 7 (15)
                    case Q4_0 -> halfStepPlusScaleRounding(amax / 8, 8, 1);
                    case Q5_0 -> halfStepPlusScaleRounding(amax / 16, 16, 1);
                    // d = (max − min)/15 (31), plus the rounding of d and of the min
                    case Q4_1 -> halfStepPlusScaleRounding((max - min) / 15, 15, 0.5f) + f16Error(min);
                    case Q5_1 -> halfStepPlusScaleRounding((max - min) / 31, 31, 0.5f) + f16Error(min);
                    // k-quants: 6-bit (8-bit for Q6_K) sub-block scales under an F16 super-scale,
                    // fitted by search rather than bounded; a loose bound per step of the range
                    case Q4_K -> (max - Math.min(min, 0)) / 15 * 1.5f;
                    case Q5_K -> (max - Math.min(min, 0)) / 31 * 1.5f;
                    case Q6_K -> amax / 32 * 1.5f;
                    default -> throw new IllegalArgumentException(type.toString());
                };
                float error = Math.abs(decoded[i] - x);
                // one more ulp for the rounding of the decoding product itself
                assertThat(error).as("%s: %s value %d = %s decoded as %s", context, type, i, x, decoded[i])
                        .isLessThanOrEqualTo(bound + Math.ulp(Math.max(amax, Math.abs(decoded[i]))));
            }
        }
    }

    /** steps·d plus levels times what storing d as F16 loses (absolute: small d are F16 subnormals). */
    private static float halfStepPlusScaleRounding(float d, int levels, float steps) {
        return steps * d + levels * f16Error(d);
    }

    private static float f16Error(float v) {
        return Math.abs(v - HalfFloats.roundToF16(v));
    }

    /** Root-mean-square error divided by the root-mean-square of the originals. */
    public static double relativeRms(float[] original, float[] decoded) {
        double error = 0;
        double signal = 0;
        for (int i = 0; i < original.length; i++) {
            double e = decoded[i] - original[i];
            error += e * e;
            signal += (double) original[i] * original[i];
        }
        return signal == 0 ? Math.sqrt(error) : Math.sqrt(error / signal);
    }
}
