package org.sparrowmesh.decoder.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.function.IntUnaryOperator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sparrowmesh.decoder.engine.gguf.GgmlType;

/**
 * Each type's decoding against blocks built by hand from the layout of ggml-common.h, with the
 * expected values computed here from the quants and scales put in: extreme quants (0 and the
 * top level), negative scales, F16 subnormal scales. Scales are chosen so every product is exact,
 * which makes the expected values independent of evaluation order.
 */
class DequantizationTest {

    private static float[] decode(GgmlType type, byte[] bytes) {
        FloatTensor view = FloatTensor.of(type, MemorySegment.ofArray(bytes));
        float[] viaGet = new float[(int) view.size()];
        for (int i = 0; i < viaGet.length; i++) {
            viaGet[i] = view.getFloat(i);
        }
        float[] viaDequantize = new float[viaGet.length];
        view.dequantize(0, viaDequantize, 0, viaDequantize.length);
        assertThat(viaDequantize).as("dequantize == getFloat for " + type).containsExactly(viaGet);
        return viaGet;
    }

    @Test
    void f16() {
        int[] bits = {0x3C00, 0xC000, 0x7BFF, 0x0001, 0x8000, 0x7C00, 0x3555};
        Bytes b = new Bytes(bits.length * 2);
        for (int i = 0; i < bits.length; i++) {
            b.u16(2 * i, bits[i]);
        }
        assertThat(decode(GgmlType.F16, b.array()))
                .containsExactly(1f, -2f, 65504f, 0x1p-24f, -0f, Float.POSITIVE_INFINITY, 0.33325195f);
    }

    @Test
    void bf16() {
        int[] bits = {0x3F80, 0xC040, 0x7F7F, 0x0001, 0x8000, 0xFF80, 0x3EAB};
        Bytes b = new Bytes(bits.length * 2);
        for (int i = 0; i < bits.length; i++) {
            b.u16(2 * i, bits[i]);
        }
        assertThat(decode(GgmlType.BF16, b.array()))
                .containsExactly(1f, -3f, 3.3895314e38f, Float.MIN_VALUE * 65536, -0f, Float.NEGATIVE_INFINITY, 0.333984375f);
    }

    @Test
    void q8_0() {
        float[] d = {-0.5f, 0x1p-24f}; // a negative scale, an F16 subnormal scale
        IntUnaryOperator q = j -> j == 0 ? -128 : j == 1 ? 127 : j - 16;
        Bytes b = new Bytes(2 * 34);
        for (int blk = 0; blk < 2; blk++) {
            b.f16(34 * blk, d[blk]);
            for (int j = 0; j < 32; j++) {
                b.u8(34 * blk + 2 + j, q.applyAsInt(j) & 0xFF);
            }
        }
        float[] expected = new float[64];
        for (int i = 0; i < 64; i++) {
            expected[i] = q.applyAsInt(i % 32) * d[i / 32];
        }
        assertThat(decode(GgmlType.Q8_0, b.array())).containsExactly(expected);
        assertThat(expected[0]).isEqualTo(64f);
        assertThat(expected[1]).isEqualTo(-63.5f);
    }

    @Test
    void q4_0() {
        float[] d = {0.25f, -1.5f};
        IntUnaryOperator q = j -> j < 16 ? j : 31 - j; // 0…15 then 15…0: both extremes in both halves
        Bytes b = new Bytes(2 * 18);
        for (int blk = 0; blk < 2; blk++) {
            b.f16(18 * blk, d[blk]);
            for (int j = 0; j < 16; j++) {
                b.u8(18 * blk + 2 + j, q.applyAsInt(j) | q.applyAsInt(j + 16) << 4);
            }
        }
        float[] expected = new float[64];
        for (int i = 0; i < 64; i++) {
            expected[i] = (q.applyAsInt(i % 32) - 8) * d[i / 32];
        }
        assertThat(decode(GgmlType.Q4_0, b.array())).containsExactly(expected);
        assertThat(expected[0]).isEqualTo(-2f);
        assertThat(expected[32 + 15]).isEqualTo(-10.5f);
    }

    @Test
    void q4_1() {
        float[] d = {0.5f, -0.125f};
        float[] m = {-2f, 1f};
        IntUnaryOperator q = j -> (j * 7) % 16;
        Bytes b = new Bytes(2 * 20);
        for (int blk = 0; blk < 2; blk++) {
            b.f16(20 * blk, d[blk]).f16(20 * blk + 2, m[blk]);
            for (int j = 0; j < 16; j++) {
                b.u8(20 * blk + 4 + j, q.applyAsInt(j) | q.applyAsInt(j + 16) << 4);
            }
        }
        float[] expected = new float[64];
        for (int i = 0; i < 64; i++) {
            expected[i] = q.applyAsInt(i % 32) * d[i / 32] + m[i / 32];
        }
        assertThat(decode(GgmlType.Q4_1, b.array())).containsExactly(expected);
        assertThat(expected[0]).isEqualTo(-2f);
        assertThat(expected[1]).isEqualTo(1.5f);
    }

    @Test
    void q5_0() {
        float[] d = {0.25f, -2f};
        int[] qh = {0xA5A5F00F, 0xFFFF0000};
        IntUnaryOperator low = j -> (j * 5 + 3) % 16;
        Bytes b = new Bytes(2 * 22);
        for (int blk = 0; blk < 2; blk++) {
            b.f16(22 * blk, d[blk]).u32(22 * blk + 2, qh[blk]);
            for (int j = 0; j < 16; j++) {
                b.u8(22 * blk + 6 + j, low.applyAsInt(j) | low.applyAsInt(j + 16) << 4);
            }
        }
        float[] expected = new float[64];
        for (int i = 0; i < 64; i++) {
            int j = i % 32;
            int q = low.applyAsInt(j) + 16 * ((qh[i / 32] >>> j) & 1);
            expected[i] = (q - 16) * d[i / 32];
        }
        assertThat(decode(GgmlType.Q5_0, b.array())).containsExactly(expected);
        assertThat(expected[0]).isEqualTo((3 + 16 - 16) * 0.25f);
        assertThat(expected[32]).isEqualTo((3 - 16) * -2f); // fifth bit clear
    }

    @Test
    void q5_1() {
        float[] d = {0.5f, -0.25f};
        float[] m = {-8f, 0.75f};
        int[] qh = {0x0000FFFF, 0x80000001};
        IntUnaryOperator low = j -> 15 - (j * 3) % 16;
        Bytes b = new Bytes(2 * 24);
        for (int blk = 0; blk < 2; blk++) {
            b.f16(24 * blk, d[blk]).f16(24 * blk + 2, m[blk]).u32(24 * blk + 4, qh[blk]);
            for (int j = 0; j < 16; j++) {
                b.u8(24 * blk + 8 + j, low.applyAsInt(j) | low.applyAsInt(j + 16) << 4);
            }
        }
        float[] expected = new float[64];
        for (int i = 0; i < 64; i++) {
            int j = i % 32;
            int q = low.applyAsInt(j) + 16 * ((qh[i / 32] >>> j) & 1);
            expected[i] = q * d[i / 32] + m[i / 32];
        }
        assertThat(decode(GgmlType.Q5_1, b.array())).containsExactly(expected);
        assertThat(expected[0]).isEqualTo(31 * 0.5f - 8f); // q = 31, the top level
    }

    /** Packs eight 6-bit scales and mins into the 12 bytes of a Q4_K/Q5_K block, per ggml-common.h. */
    private static void packScales(Bytes b, int at, int[] sc, int[] m) {
        for (int j = 0; j < 4; j++) {
            b.u8(at + j, sc[j]).u8(at + 4 + j, m[j]);
        }
        for (int j = 4; j < 8; j++) {
            b.u8(at + 4 + j, (sc[j] & 0xF) | (m[j] & 0xF) << 4);
            b.or(at + j - 4, (sc[j] >> 4) << 6);
            b.or(at + j, (m[j] >> 4) << 6);
        }
    }

    private static final int[][] K_SCALES = {{63, 0, 1, 47, 32, 15, 16, 63}, {5, 63, 48, 0, 63, 17, 31, 2}};
    private static final int[][] K_MINS = {{0, 63, 2, 17, 48, 31, 33, 5}, {63, 0, 40, 9, 1, 62, 16, 47}};
    private static final float[] K_D = {0.5f, -2f};
    private static final float[] K_DMIN = {0.25f, -0.125f};

    @Test
    void q4_K() {
        IntUnaryOperator q = e -> (e * 7 + e / 16) % 16;
        Bytes b = new Bytes(2 * 144);
        for (int blk = 0; blk < 2; blk++) {
            int at = 144 * blk;
            b.f16(at, K_D[blk]).f16(at + 2, K_DMIN[blk]);
            packScales(b, at + 4, K_SCALES[blk], K_MINS[blk]);
            // each 64 values: 32 bytes, the first 32 values in low nibbles, the next 32 in high nibbles
            for (int e = 0; e < 256; e++) {
                int byteAt = at + 16 + 32 * (e / 64) + e % 32;
                b.or(byteAt, e % 64 < 32 ? q.applyAsInt(e) : q.applyAsInt(e) << 4);
            }
        }
        float[] expected = new float[512];
        for (int i = 0; i < 512; i++) {
            int blk = i / 256;
            int sub = i % 256 / 32;
            expected[i] = K_D[blk] * K_SCALES[blk][sub] * q.applyAsInt(i % 256) - K_DMIN[blk] * K_MINS[blk][sub];
        }
        assertThat(decode(GgmlType.Q4_K, b.array())).containsExactly(expected);
        assertThat(expected[0]).isEqualTo(0f);
        assertThat(expected[32 + 5]).isEqualTo(-15.75f); // scale 0, min 63
    }

    @Test
    void q5_K() {
        IntUnaryOperator q = e -> (e * 11 + e / 32) % 32;
        Bytes b = new Bytes(2 * 176);
        for (int blk = 0; blk < 2; blk++) {
            int at = 176 * blk;
            b.f16(at, K_D[blk]).f16(at + 2, K_DMIN[blk]);
            packScales(b, at + 4, K_SCALES[blk], K_MINS[blk]);
            for (int e = 0; e < 256; e++) {
                int v = q.applyAsInt(e);
                int sub = e / 32;
                b.or(at + 16 + e % 32, (v >> 4) << sub); // fifth bit: bit `sub` of qh[e % 32]
                int byteAt = at + 48 + 32 * (e / 64) + e % 32;
                b.or(byteAt, e % 64 < 32 ? v & 0xF : (v & 0xF) << 4);
            }
        }
        float[] expected = new float[512];
        for (int i = 0; i < 512; i++) {
            int blk = i / 256;
            int sub = i % 256 / 32;
            expected[i] = K_D[blk] * K_SCALES[blk][sub] * q.applyAsInt(i % 256) - K_DMIN[blk] * K_MINS[blk][sub];
        }
        assertThat(decode(GgmlType.Q5_K, b.array())).containsExactly(expected);
        assertThat(expected[29]).isEqualTo(976.5f); // q = 31 (fifth bit set) under scale 63
        assertThat(expected[256 + 3]).isEqualTo(-2f * 5 * q.applyAsInt(3) + 0.125f * 63);
    }

    @Test
    void q6_K() {
        int[][] scales = {{-128, 127, -1, 0, 1, 64, -64, 3, 5, -7, 11, -13, 17, -19, 23, -29}, {1, 1, 2, 2, 3, 3, 4, 4, -1, -1, -2, -2, -3, -3, -4, -4}};
        float[] d = {0.125f, -0x1p-20f};
        IntUnaryOperator q = e -> (e * 13 + e / 64) % 64;
        Bytes b = new Bytes(2 * 210);
        for (int blk = 0; blk < 2; blk++) {
            int at = 210 * blk;
            for (int e = 0; e < 256; e++) {
                int v = q.applyAsInt(e);
                int half = e / 128;
                int quarter = e % 128 / 32;
                int l = e % 32;
                int ql = at + 64 * half + l + 32 * (quarter & 1);
                b.or(ql, quarter < 2 ? v & 0xF : (v & 0xF) << 4);
                b.or(at + 128 + 32 * half + l, (v >> 4) << (2 * quarter));
            }
            for (int s = 0; s < 16; s++) {
                b.u8(at + 192 + s, scales[blk][s] & 0xFF);
            }
            b.f16(at + 208, d[blk]);
        }
        float[] expected = new float[512];
        for (int i = 0; i < 512; i++) {
            int blk = i / 256;
            expected[i] = d[blk] * scales[blk][i % 256 / 16] * (q.applyAsInt(i % 256) - 32);
        }
        assertThat(decode(GgmlType.Q6_K, b.array())).containsExactly(expected);
        assertThat(expected[0]).isEqualTo(0.125f * -128 * -32); // q = 0 under the most negative scale
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K",
            "Q5_K", "Q6_K"})
    void dotAndDequantizeAgreeWithGetFloatAcrossBlockBoundaries(GgmlType type) {
        long seed = 3 + type.ordinal();
        Random random = new Random(seed);
        int blocks = 1024 / type.blockSize() + 2;
        byte[] bytes = new byte[blocks * type.typeSize()];
        random.nextBytes(bytes);
        finiteScales(type, bytes, random);
        FloatTensor view = FloatTensor.of(type, MemorySegment.ofArray(bytes));
        int n = (int) view.size();
        float[] x = new float[n + 7];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        int[] offsets = {0, 1, 15, 16, 31, 32, 33, 255, 256, 257, n - 300};
        int[] lengths = {0, 1, 3, 31, 32, 33, 255, 257, 299};
        for (int offset : offsets) {
            for (int length : lengths) {
                int xOffset = (offset + length) % 7;
                float expected = 0f;
                double magnitude = 0;
                for (int i = 0; i < length; i++) {
                    expected += view.getFloat(offset + i) * x[xOffset + i];
                    magnitude += Math.abs((double) view.getFloat(offset + i) * x[xOffset + i]);
                }
                // the Vector API kernels add in another order: equal up to float rounding of the terms
                assertThat((double) view.dot(offset, x, xOffset, length))
                        .as("%s dot at %d of %d (seed %d)", type, offset, length, seed)
                        .isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-5 * magnitude + 1e-30));
                float[] out = new float[length + 2];
                view.dequantize(offset, out, 1, length);
                for (int i = 0; i < length; i++) {
                    assertThat(out[1 + i]).as("%s dequantize at %d (seed %d)", type, offset + i, seed)
                            .isEqualTo(view.getFloat(offset + i));
                }
            }
        }
        assertThatThrownBy(() -> view.getFloat(n)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> view.dot(n - 10, x, 0, 11)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    /** Random bytes with every F16 scale replaced by a finite half, so sums are comparable (no NaN). */
    static void finiteScales(GgmlType type, byte[] bytes, Random random) {
        int[] scaleOffsets = switch (type) {
            case Q8_0, Q4_0, Q5_0 -> new int[] {0};
            case Q4_1, Q5_1, Q4_K, Q5_K -> new int[] {0, 2};
            case Q6_K -> new int[] {208};
            case F16 -> new int[] {0};
            default -> new int[0];
        };
        if (type == GgmlType.F32 || type == GgmlType.BF16) {
            for (int i = 0; i < bytes.length; i += type.typeSize()) {
                bytes[i + type.typeSize() - 1] &= (byte) 0xBF; // clear the top exponent bit: finite
            }
            return;
        }
        for (int blk = 0; blk < bytes.length / type.typeSize(); blk++) {
            for (int at : scaleOffsets) {
                short h = Float.floatToFloat16((float) random.nextGaussian());
                bytes[blk * type.typeSize() + at] = (byte) h;
                bytes[blk * type.typeSize() + at + 1] = (byte) (h >>> 8);
            }
        }
    }

    @Test
    void refusesBytesThatAreNotWholeBlocks() {
        assertThatThrownBy(() -> FloatTensor.of(GgmlType.Q4_K, MemorySegment.ofArray(new byte[145])))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Q4_K").hasMessageContaining("145");
        assertThatThrownBy(() -> FloatTensor.of(GgmlType.Q2_K, MemorySegment.ofArray(new byte[84])))
                .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("Q2_K");
    }
}
