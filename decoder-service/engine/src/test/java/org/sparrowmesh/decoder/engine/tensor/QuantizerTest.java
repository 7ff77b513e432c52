package org.sparrowmesh.decoder.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sparrowmesh.decoder.engine.gguf.GgmlType;

class QuantizerTest {

    @Test
    void q8_0RoundsHalvesAwayFromZeroAsRoundfDoes() {
        float[] x = new float[32];
        float[] values = {127, 2.5f, -2.5f, 0.5f, -0.5f, 1.5f, -1.49f, -127};
        System.arraycopy(values, 0, x, 0, values.length);
        byte[] q = Quantizer.quantize(GgmlType.Q8_0, x);
        assertThat(Float.float16ToFloat((short) (q[0] & 0xFF | q[1] << 8))).isEqualTo(1f); // d = 127 / 127
        assertThat(Arrays.copyOfRange(q, 2, 2 + values.length)).containsExactly(127, 3, -3, 1, -1, 2, -1, -127);
    }

    @Test
    void q4_0MapsTheLargestMagnitudeToMinus8AndClampsItsOpposite() {
        float[] x = new float[32];
        float[] values = {-8, 8, 7.4f, 0, -0.5f, 3.49f, -7.6f};
        System.arraycopy(values, 0, x, 0, values.length);
        byte[] q = Quantizer.quantize(GgmlType.Q4_0, x);
        assertThat(Float.float16ToFloat((short) (q[0] & 0xFF | q[1] << 8))).isEqualTo(1f); // d = −8 / −8
        int[] nibbles = new int[values.length];
        for (int j = 0; j < values.length; j++) {
            nibbles[j] = q[2 + j] & 0xF;
        }
        // trunc(x/d + 8.5), at most 15: 8 → 15 (clamped from 16), 7.4 → 15, −0.5 → 8, 3.49 → 11, −7.6 → 0
        assertThat(nibbles).containsExactly(0, 15, 15, 8, 8, 11, 0);
        // the zero padding (values 16…31) sits in the high nibbles: 0·(1/d) + 8.5 → 8
        assertThat((q[2] & 0xFF) >>> 4).isEqualTo(8);
    }

    @Test
    void allZeroBlocksGiveZeroScalesAndDecodeToZero() {
        for (GgmlType type : new GgmlType[] {GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1,
                GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K}) {
            float[] zeros = new float[256];
            // Q4_0 and Q5_0 store d = 0 / −8 = −0, so they decode to −0 as ggml does
            for (float v : Quantizer.dequantize(type, Quantizer.quantize(type, zeros))) {
                assertThat(v == 0f).as(type + " decodes a zero block to ±0, got " + v).isTrue();
            }
        }
    }

    @Test
    void bf16RoundsToNearestEvenAndQuietsNaN() {
        assertThat(bf16(0x3F808000)).isEqualTo((short) 0x3F80); // tie, kept half even: stays
        assertThat(bf16(0x3F818000)).isEqualTo((short) 0x3F82); // tie, kept half odd: up
        assertThat(bf16(0x3F808001)).isEqualTo((short) 0x3F81); // above the tie: up
        assertThat(bf16(0x3F807FFF)).isEqualTo((short) 0x3F80); // below: down
        assertThat(bf16(0x7F7FFFFF)).isEqualTo((short) 0x7F80); // largest float rounds to infinity
        assertThat(bf16(0x7F800001)).isEqualTo((short) 0x7FC0); // signalling NaN made quiet
        assertThat(bf16(0x00000001)).isEqualTo((short) 0x0000); // subnormals kept (this one rounds to 0)
        assertThat(bf16(0x00018000)).isEqualTo((short) 0x0002);
    }

    private static short bf16(int floatBits) {
        return HalfFloats.toBF16(Float.intBitsToFloat(floatBits));
    }

    @Test
    void f16RoundsToNearestEvenAndCanonicalisesNaN() {
        assertThat(HalfFloats.toF16(1 + 0x1p-11f)).isEqualTo((short) 0x3C00); // tie to even
        assertThat(HalfFloats.toF16(1 + 0x1p-10f + 0x1p-11f)).isEqualTo((short) 0x3C02); // tie, odd: up
        assertThat(HalfFloats.toF16(65520f)).isEqualTo((short) 0x7C00); // past the largest half: infinity
        assertThat(HalfFloats.toF16(Float.intBitsToFloat(0xFFC01234))).isEqualTo((short) 0xFE00);
        assertThat(HalfFloats.fromBF16((short) 0xC040)).isEqualTo(-3f);
    }

    @Test
    void nearestIntRoundsTiesToEvenLikeGgml() {
        assertThat(KQuantizers.nearestInt(2.5f)).isEqualTo(2);
        assertThat(KQuantizers.nearestInt(3.5f)).isEqualTo(4);
        assertThat(KQuantizers.nearestInt(-2.5f)).isEqualTo(-2);
        assertThat(KQuantizers.nearestInt(-0.49f)).isEqualTo(0);
        assertThat(KQuantizers.nearestInt(4194303f)).isEqualTo(4194303);
        assertThat(LegacyQuantizers.roundHalfAway(-2.5f)).isEqualTo(-3);
        assertThat(LegacyQuantizers.roundHalfAway(0.49999997f)).isEqualTo(0);
    }

    /** Inputs of the shapes the quantizers branch on, 4 super-blocks each. */
    private static float[][] distributions(long seed) {
        Random random = new Random(seed);
        int n = 1024;
        float[] gaussian = new float[n];
        float[] outliers = new float[n];
        float[] positive = new float[n];
        float[] negative = new float[n];
        float[] sparse = new float[n];
        float[] wide = new float[n];
        for (int i = 0; i < n; i++) {
            gaussian[i] = (float) random.nextGaussian() * 0.02f;
            outliers[i] = (float) random.nextGaussian() * (random.nextInt(50) == 0 ? 40 : 1);
            positive[i] = (float) Math.abs(random.nextGaussian());
            negative[i] = (float) -Math.abs(random.nextGaussian()) - 3;
            sparse[i] = random.nextBoolean() ? 0 : (float) random.nextGaussian() * 1e-3f;
            wide[i] = (float) random.nextGaussian() * (float) Math.pow(10, i / 256 - 2); // 1e-2 … 10 by super-block
        }
        return new float[][] {gaussian, outliers, positive, negative, sparse, wide};
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K",
            "Q5_K", "Q6_K"})
    void errorStaysWithinTheTypesBound(GgmlType type) {
        long seed = 11;
        float[][] inputs = distributions(seed);
        for (int d = 0; d < inputs.length; d++) {
            float[] decoded = Quantizer.dequantize(type, Quantizer.quantize(type, inputs[d]));
            QuantizationError.assertWithinBound(type, inputs[d], decoded, "distribution " + d + " (seed " + seed + ")");
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K"})
    void gaussianWeightsKeepTheirTypicalAccuracy(GgmlType type) {
        float[] gaussian = distributions(5)[0];
        double rms = QuantizationError.relativeRms(gaussian, Quantizer.dequantize(type, Quantizer.quantize(type, gaussian)));
        // relative RMS error of N(0, σ²) weights: about step/√12 with the step of each type
        // (Q8_0 ≈ 0.0055, Q4_0 ≈ 0.09 over seeds 1…5), with some margin
        double limit = switch (type) {
            case Q8_0 -> 0.0065;
            case Q6_K -> 0.022;
            case Q5_K -> 0.045;
            case Q5_1 -> 0.047;
            case Q5_0 -> 0.053;
            case Q4_K -> 0.085;
            case Q4_1 -> 0.095;
            case Q4_0 -> 0.105;
            default -> throw new AssertionError(type);
        };
        assertThat(rms).as("%s relative RMS error", type).isLessThan(limit);
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F16", "BF16", "Q8_0", "Q4_1", "Q6_K", "Q4_K"})
    void blocksAreIndependentSoChunksGiveTheSameBytes(GgmlType type) {
        float[] x = distributions(7)[1];
        byte[] whole = Quantizer.quantize(type, x);
        byte[] first = Quantizer.quantize(type, x, 0, 512);
        byte[] second = Quantizer.quantize(type, x, 512, 512);
        byte[] joined = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, joined, first.length, second.length);
        assertThat(joined).isEqualTo(whole);
    }

    @Test
    void refusesWhatGgmlCouldNotStore() {
        assertThatThrownBy(() -> Quantizer.quantize(GgmlType.Q4_K, new float[255]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Q4_K").hasMessageContaining("255");
        float[] withNaN = new float[32];
        withNaN[5] = Float.NaN;
        assertThatThrownBy(() -> Quantizer.quantize(GgmlType.Q8_0, withNaN))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("value 5 = NaN");
        assertThat(Quantizer.dequantize(GgmlType.F16, Quantizer.quantize(GgmlType.F16, withNaN))[5]).isNaN();
        assertThatThrownBy(() -> Quantizer.quantize(GgmlType.Q2_K, new float[256]))
                .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("Q2_K");
    }
}
