package org.sparrowmesh.decoder.engine.kernels;

import static org.sparrowmesh.decoder.engine.kernels.VectorKernels.B;
import static org.sparrowmesh.decoder.engine.kernels.VectorKernels.F;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Vector API dot products of the k-quant types (Q6_K, Q4_K, Q5_K: super-blocks of 256 values),
 * the companions of {@link VectorKernels}' Q8_0 and Q4_0 kernels with the same guarantees.
 *
 * <p>Each weight vector is decoded to exactly the floats the scalar {@code decodeBlock} of the
 * tensor class produces (same products, same order, no fused decode), then multiplied into two
 * accumulators per activation row. The "×4" forms do per row exactly what the single-row forms do,
 * so a row gives the same bits alone or in a batch. Needs at most 16 float lanes (a vector never
 * straddles a 16-value scale group), which every x86 and common ARM width satisfies.
 */
public final class KQuantVectorKernels {

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfShort F16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LE);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(LE);

    private KQuantVectorKernels() {
    }

    /** Whether the preferred width suits these kernels (at most 16 float lanes). */
    public static boolean supported() {
        return F.length() <= 16;
    }

    // ---- Q6_K: 128 bytes ql, 64 bytes qh, 16 int8 scales, f16 d (210 bytes) --------------------
    // The bytes are widened to ints before the bit fields are taken apart (x86 has no byte shift;
    // see TileKernels' Q4_0 section). Of the four values a (ql, qh) position yields, the first and third go into one accumulator,
    // the second and fourth into the other. A value is its ql nibble | its two qh bits << 4, − 32,
    // written out at each use: a helper taking and returning vectors is not always inlined into
    // these large methods (C2 refuses a callee already compiled bigger than InlineSmallCode, which
    // depends on what ran first), and then every vector crossing the call is boxed.

    // The sixteen d·scale products of a super-block are made once on a vector (q6Scales) and read
    // back as broadcasts: made per weight vector from the packed scale bytes (shift, sign-extend,
    // convert, multiply, broadcast) they were a fifth of the work. The same products, same bits.

    /**
     * The sixteen d·scale of the Q6_K super-block at {@code at} into ds[0…15]: the products of the
     * reference (an int8 times d, rounded once). Takes and returns no vector, so it costs nothing
     * when C2 does not inline it.
     */
    private static void q6Scales(MemorySegment data, long at, float[] ds) {
        FloatVector d = FloatVector.broadcast(F, Float.float16ToFloat(data.get(F16, at + 208)));
        for (int k = 0; k < 16; k += F.length()) {
            IntVector scales = (IntVector) ByteVector.fromMemorySegment(B, data, at + 192 + k, LE)
                    .convertShape(VectorOperators.B2I, TileKernels.I, 0); // int8: sign-extended
            ((FloatVector) scales.convert(VectorOperators.I2F, 0)).mul(d).intoArray(ds, k);
        }
    }

    /** Σ over {@code blocks} Q6_K super-blocks from {@code firstBlock} with x[xOffset…]. */
    public static float dotQ6_K(MemorySegment data, long firstBlock, float[] x, int xOffset, int blocks) {
        float[] ds = K_SCALES.get();
        int step = F.length();
        FloatVector even = FloatVector.zero(F), odd = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long at = (firstBlock + b) * 210;
            q6Scales(data, at, ds);
            for (int half = 0; half < 2; half++) {
                long ql = at + 64 * half;
                long qh = at + 128 + 32 * half;
                int xi = xOffset + b * 256 + 128 * half;
                for (int l = 0; l < 32; l += step) {
                    int s = 8 * half + l / 16; // scale of w0; w1, w2, w3 use s + 2, s + 4, s + 6
                    IntVector lo = (IntVector) ByteVector.fromMemorySegment(B, data, ql + l, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, TileKernels.I, 0);
                    IntVector hi = (IntVector) ByteVector.fromMemorySegment(B, data, ql + l + 32, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, TileKernels.I, 0);
                    IntVector h = (IntVector) ByteVector.fromMemorySegment(B, data, qh + l, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, TileKernels.I, 0);
                    FloatVector w0 = ((FloatVector) lo.and(0x0F).or(h.lanewise(VectorOperators.LSHL, 4).and(0x30)).sub(32)
                            .convert(VectorOperators.I2F, 0)).mul(ds[s]);
                    FloatVector w1 = ((FloatVector) hi.and(0x0F).or(h.lanewise(VectorOperators.LSHL, 2).and(0x30)).sub(32)
                            .convert(VectorOperators.I2F, 0))
                            .mul(ds[s + 2]);
                    FloatVector w2 = ((FloatVector) lo.lanewise(VectorOperators.LSHR, 4).or(h.and(0x30)).sub(32)
                            .convert(VectorOperators.I2F, 0))
                            .mul(ds[s + 4]);
                    FloatVector w3 = ((FloatVector) hi.lanewise(VectorOperators.LSHR, 4).or(h.lanewise(VectorOperators.LSHR, 2).and(0x30)).sub(32)
                            .convert(VectorOperators.I2F, 0))
                            .mul(ds[s + 6]);
                    even = w0.fma(FloatVector.fromArray(F, x, xi + l), even);
                    odd = w1.fma(FloatVector.fromArray(F, x, xi + l + 32), odd);
                    even = w2.fma(FloatVector.fromArray(F, x, xi + l + 64), even);
                    odd = w3.fma(FloatVector.fromArray(F, x, xi + l + 96), odd);
                }
            }
        }
        float[] lanes = VectorKernels.LANES.get();
        even.add(odd).intoArray(lanes, 0);
        return VectorKernels.laneSum(lanes, 0, F.length());
    }

    /** Four activation rows against one Q6_K weight row: each super-block decoded once. */
    public static void dotQ6_Kx4(MemorySegment data, long firstBlock, float[] x0, float[] x1, float[] x2, float[] x3,
            int xOffset, int blocks, float[] out) {
        float[] ds = K_SCALES.get();
        int step = F.length();
        FloatVector e0 = FloatVector.zero(F), e1 = FloatVector.zero(F), e2 = FloatVector.zero(F), e3 = FloatVector.zero(F);
        FloatVector o0 = FloatVector.zero(F), o1 = FloatVector.zero(F), o2 = FloatVector.zero(F), o3 = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long at = (firstBlock + b) * 210;
            q6Scales(data, at, ds);
            for (int half = 0; half < 2; half++) {
                long ql = at + 64 * half;
                long qh = at + 128 + 32 * half;
                int xi = xOffset + b * 256 + 128 * half;
                for (int l = 0; l < 32; l += step) {
                    int s = 8 * half + l / 16; // scale of w0; w1, w2, w3 use s + 2, s + 4, s + 6
                    IntVector lo = (IntVector) ByteVector.fromMemorySegment(B, data, ql + l, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, TileKernels.I, 0);
                    IntVector hi = (IntVector) ByteVector.fromMemorySegment(B, data, ql + l + 32, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, TileKernels.I, 0);
                    IntVector h = (IntVector) ByteVector.fromMemorySegment(B, data, qh + l, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, TileKernels.I, 0);
                    FloatVector w0 = ((FloatVector) lo.and(0x0F).or(h.lanewise(VectorOperators.LSHL, 4).and(0x30)).sub(32)
                            .convert(VectorOperators.I2F, 0)).mul(ds[s]);
                    FloatVector w1 = ((FloatVector) hi.and(0x0F).or(h.lanewise(VectorOperators.LSHL, 2).and(0x30)).sub(32)
                            .convert(VectorOperators.I2F, 0))
                            .mul(ds[s + 2]);
                    FloatVector w2 = ((FloatVector) lo.lanewise(VectorOperators.LSHR, 4).or(h.and(0x30)).sub(32)
                            .convert(VectorOperators.I2F, 0))
                            .mul(ds[s + 4]);
                    FloatVector w3 = ((FloatVector) hi.lanewise(VectorOperators.LSHR, 4).or(h.lanewise(VectorOperators.LSHR, 2).and(0x30)).sub(32)
                            .convert(VectorOperators.I2F, 0))
                            .mul(ds[s + 6]);
                    int i0 = xi + l;
                    e0 = w0.fma(FloatVector.fromArray(F, x0, i0), e0);
                    e1 = w0.fma(FloatVector.fromArray(F, x1, i0), e1);
                    e2 = w0.fma(FloatVector.fromArray(F, x2, i0), e2);
                    e3 = w0.fma(FloatVector.fromArray(F, x3, i0), e3);
                    int i1 = xi + l + 32;
                    o0 = w1.fma(FloatVector.fromArray(F, x0, i1), o0);
                    o1 = w1.fma(FloatVector.fromArray(F, x1, i1), o1);
                    o2 = w1.fma(FloatVector.fromArray(F, x2, i1), o2);
                    o3 = w1.fma(FloatVector.fromArray(F, x3, i1), o3);
                    int i2 = xi + l + 64;
                    e0 = w2.fma(FloatVector.fromArray(F, x0, i2), e0);
                    e1 = w2.fma(FloatVector.fromArray(F, x1, i2), e1);
                    e2 = w2.fma(FloatVector.fromArray(F, x2, i2), e2);
                    e3 = w2.fma(FloatVector.fromArray(F, x3, i2), e3);
                    int i3 = xi + l + 96;
                    o0 = w3.fma(FloatVector.fromArray(F, x0, i3), o0);
                    o1 = w3.fma(FloatVector.fromArray(F, x1, i3), o1);
                    o2 = w3.fma(FloatVector.fromArray(F, x2, i3), o2);
                    o3 = w3.fma(FloatVector.fromArray(F, x3, i3), o3);
                }
            }
        }
        float[] lanes = VectorKernels.LANES.get();
        int n = F.length();
        e0.add(o0).intoArray(lanes, 0);
        e1.add(o1).intoArray(lanes, n);
        e2.add(o2).intoArray(lanes, 2 * n);
        e3.add(o3).intoArray(lanes, 3 * n);
        VectorKernels.laneSums4(lanes, out);
    }

    // A batch of eight or more entries goes through a Q6_K row decoded once to floats (decodeQ6_K)
    // rather than decoding it again for every four entries (dotQ6_Kx4): the decode, not the FMAs,
    // is most of dotQ6_Kx4's work. dotDecodedQ6_Kx4 adds the decoded values in dotQ6_Kx4's order
    // into the same accumulators, so the sums are the same bits.

    /** The weights {@link #dotQ6_K} multiplies, for {@code blocks} super-blocks from {@code firstBlock}, into w[0…256·blocks). */
    public static void decodeQ6_K(MemorySegment data, long firstBlock, int blocks, float[] w) {
        float[] ds = K_SCALES.get();
        int step = F.length();
        for (int b = 0; b < blocks; b++) {
            long at = (firstBlock + b) * 210;
            q6Scales(data, at, ds);
            for (int half = 0; half < 2; half++) {
                long ql = at + 64 * half;
                long qh = at + 128 + 32 * half;
                int wi = b * 256 + 128 * half;
                for (int l = 0; l < 32; l += step) {
                    int s = 8 * half + l / 16; // scale of w0; w1, w2, w3 use s + 2, s + 4, s + 6
                    IntVector lo = (IntVector) ByteVector.fromMemorySegment(B, data, ql + l, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, TileKernels.I, 0);
                    IntVector hi = (IntVector) ByteVector.fromMemorySegment(B, data, ql + l + 32, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, TileKernels.I, 0);
                    IntVector h = (IntVector) ByteVector.fromMemorySegment(B, data, qh + l, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, TileKernels.I, 0);
                    ((FloatVector) lo.and(0x0F).or(h.lanewise(VectorOperators.LSHL, 4).and(0x30)).sub(32)
                            .convert(VectorOperators.I2F, 0)).mul(ds[s]).intoArray(w, wi + l);
                    ((FloatVector) hi.and(0x0F).or(h.lanewise(VectorOperators.LSHL, 2).and(0x30)).sub(32)
                            .convert(VectorOperators.I2F, 0)).mul(ds[s + 2]).intoArray(w, wi + l + 32);
                    ((FloatVector) lo.lanewise(VectorOperators.LSHR, 4).or(h.and(0x30)).sub(32)
                            .convert(VectorOperators.I2F, 0)).mul(ds[s + 4]).intoArray(w, wi + l + 64);
                    ((FloatVector) hi.lanewise(VectorOperators.LSHR, 4).or(h.lanewise(VectorOperators.LSHR, 2).and(0x30)).sub(32)
                            .convert(VectorOperators.I2F, 0)).mul(ds[s + 6]).intoArray(w, wi + l + 96);
                }
            }
        }
    }

    /** Four activation rows (from index 0) against a row decoded by {@link #decodeQ6_K}: {@link #dotQ6_Kx4}'s sums, bit for bit. */
    public static void dotDecodedQ6_Kx4(float[] w, float[] x0, float[] x1, float[] x2, float[] x3, int blocks,
            float[] out) {
        int step = F.length();
        FloatVector e0 = FloatVector.zero(F), e1 = FloatVector.zero(F), e2 = FloatVector.zero(F), e3 = FloatVector.zero(F);
        FloatVector o0 = FloatVector.zero(F), o1 = FloatVector.zero(F), o2 = FloatVector.zero(F), o3 = FloatVector.zero(F);
        for (int half = 0, halves = 2 * blocks; half < halves; half++) {
            for (int l = 0; l < 32; l += step) {
                int i0 = 128 * half + l, i1 = i0 + 32, i2 = i0 + 64, i3 = i0 + 96;
                FloatVector w0 = FloatVector.fromArray(F, w, i0);
                e0 = w0.fma(FloatVector.fromArray(F, x0, i0), e0);
                e1 = w0.fma(FloatVector.fromArray(F, x1, i0), e1);
                e2 = w0.fma(FloatVector.fromArray(F, x2, i0), e2);
                e3 = w0.fma(FloatVector.fromArray(F, x3, i0), e3);
                FloatVector w1 = FloatVector.fromArray(F, w, i1);
                o0 = w1.fma(FloatVector.fromArray(F, x0, i1), o0);
                o1 = w1.fma(FloatVector.fromArray(F, x1, i1), o1);
                o2 = w1.fma(FloatVector.fromArray(F, x2, i1), o2);
                o3 = w1.fma(FloatVector.fromArray(F, x3, i1), o3);
                FloatVector w2 = FloatVector.fromArray(F, w, i2);
                e0 = w2.fma(FloatVector.fromArray(F, x0, i2), e0);
                e1 = w2.fma(FloatVector.fromArray(F, x1, i2), e1);
                e2 = w2.fma(FloatVector.fromArray(F, x2, i2), e2);
                e3 = w2.fma(FloatVector.fromArray(F, x3, i2), e3);
                FloatVector w3 = FloatVector.fromArray(F, w, i3);
                o0 = w3.fma(FloatVector.fromArray(F, x0, i3), o0);
                o1 = w3.fma(FloatVector.fromArray(F, x1, i3), o1);
                o2 = w3.fma(FloatVector.fromArray(F, x2, i3), o2);
                o3 = w3.fma(FloatVector.fromArray(F, x3, i3), o3);
            }
        }
        float[] lanes = VectorKernels.LANES.get();
        int n = F.length();
        e0.add(o0).intoArray(lanes, 0);
        e1.add(o1).intoArray(lanes, n);
        e2.add(o2).intoArray(lanes, 2 * n);
        e3.add(o3).intoArray(lanes, 3 * n);
        VectorKernels.laneSums4(lanes, out);
    }

    // ---- Q4_K: f16 d, f16 dmin, 12 bytes scales/mins, 128 bytes nibbles (144 bytes) ------------
    // Q5_K: the same plus 32 bytes qh before the nibbles (176 bytes). Each group of 64 values is
    // 32 bytes: low nibbles (sub-block 2g) go into one accumulator, high nibbles (2g+1) the other.

    /** Σ over {@code blocks} Q4_K super-blocks. */
    public static float dotQ4_K(MemorySegment data, long firstBlock, float[] x, int xOffset, int blocks) {
        if (TileKernels.NIBBLE_TABLES) {
            return dotQ4_KTables(data, firstBlock, x, xOffset, blocks);
        }
        int step = F.length();
        FloatVector even = FloatVector.zero(F), odd = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long at = (firstBlock + b) * 144;
            float d = Float.float16ToFloat(data.get(F16, at));
            float dmin = Float.float16ToFloat(data.get(F16, at + 2));
            long lo = data.get(I64, at + 4); // scale bytes 0…7
            int hi = data.get(I32, at + 12); // scale bytes 8…11
            for (int g = 0; g < 4; g++) {
                float d1 = d * scale(lo, hi, 2 * g);
                float m1 = dmin * min(lo, hi, 2 * g);
                float d2 = d * scale(lo, hi, 2 * g + 1);
                float m2 = dmin * min(lo, hi, 2 * g + 1);
                long qs = at + 16 + 32 * g;
                int xi = xOffset + b * 256 + 64 * g;
                for (int l = 0; l < 32; l += step) {
                    // nibbles split on ints: x86 has no byte shift (see TileKernels' Q4_0 section)
                    IntVector q = (IntVector) ByteVector.fromMemorySegment(B, data, qs + l, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, TileKernels.I, 0);
                    FloatVector w1 = ((FloatVector) q.and(0x0F).convert(VectorOperators.I2F, 0)).mul(d1).sub(m1);
                    FloatVector w2 = ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).mul(d2).sub(m2);
                    even = w1.fma(FloatVector.fromArray(F, x, xi + l), even);
                    odd = w2.fma(FloatVector.fromArray(F, x, xi + 32 + l), odd);
                }
            }
        }
        float[] lanes = VectorKernels.LANES.get();
        even.add(odd).intoArray(lanes, 0);
        return VectorKernels.laneSum(lanes, 0, F.length());
    }

    public static void dotQ4_Kx4(MemorySegment data, long firstBlock, float[] x0, float[] x1, float[] x2, float[] x3,
            int xOffset, int blocks, float[] out) {
        if (TileKernels.NIBBLE_TABLES) {
            dotQ4_Kx4Tables(data, firstBlock, x0, x1, x2, x3, xOffset, blocks, out);
            return;
        }
        int step = F.length();
        FloatVector e0 = FloatVector.zero(F), e1 = FloatVector.zero(F), e2 = FloatVector.zero(F), e3 = FloatVector.zero(F);
        FloatVector o0 = FloatVector.zero(F), o1 = FloatVector.zero(F), o2 = FloatVector.zero(F), o3 = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long at = (firstBlock + b) * 144;
            float d = Float.float16ToFloat(data.get(F16, at));
            float dmin = Float.float16ToFloat(data.get(F16, at + 2));
            long lo = data.get(I64, at + 4); // scale bytes 0…7
            int hi = data.get(I32, at + 12); // scale bytes 8…11
            for (int g = 0; g < 4; g++) {
                float d1 = d * scale(lo, hi, 2 * g);
                float m1 = dmin * min(lo, hi, 2 * g);
                float d2 = d * scale(lo, hi, 2 * g + 1);
                float m2 = dmin * min(lo, hi, 2 * g + 1);
                long qs = at + 16 + 32 * g;
                int xi = xOffset + b * 256 + 64 * g;
                for (int l = 0; l < 32; l += step) {
                    // nibbles split on ints: x86 has no byte shift (see TileKernels' Q4_0 section)
                    IntVector q = (IntVector) ByteVector.fromMemorySegment(B, data, qs + l, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, TileKernels.I, 0);
                    FloatVector w1 = ((FloatVector) q.and(0x0F).convert(VectorOperators.I2F, 0)).mul(d1).sub(m1);
                    FloatVector w2 = ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).mul(d2).sub(m2);
                    int i1 = xi + l;
                    int i2 = xi + 32 + l;
                    e0 = w1.fma(FloatVector.fromArray(F, x0, i1), e0);
                    e1 = w1.fma(FloatVector.fromArray(F, x1, i1), e1);
                    e2 = w1.fma(FloatVector.fromArray(F, x2, i1), e2);
                    e3 = w1.fma(FloatVector.fromArray(F, x3, i1), e3);
                    o0 = w2.fma(FloatVector.fromArray(F, x0, i2), o0);
                    o1 = w2.fma(FloatVector.fromArray(F, x1, i2), o1);
                    o2 = w2.fma(FloatVector.fromArray(F, x2, i2), o2);
                    o3 = w2.fma(FloatVector.fromArray(F, x3, i2), o3);
                }
            }
        }
        float[] lanes = VectorKernels.LANES.get();
        int n = F.length();
        e0.add(o0).intoArray(lanes, 0);
        e1.add(o1).intoArray(lanes, n);
        e2.add(o2).intoArray(lanes, 2 * n);
        e3.add(o3).intoArray(lanes, 3 * n);
        VectorKernels.laneSums4(lanes, out);
    }

    // With sixteen lanes (TileKernels.NIBBLE_TABLES) a Q4_K super-block goes differently, same bits:
    // - its 12 bytes of packed 6-bit scales and mins are taken apart on one vector of sixteen ints
    //   (two permutes, shifts and masks per lane; see kScales) instead of sixteen scalar bit-field
    //   extractions, the part that dominated: with constant scales the old dot ran 8.8 against 5.9 GB/s;
    // - each sub-block's nibbles are looked up in its table CODES · d1 − m1 (q = 0…15), the very
    //   products d1·q − m1 of the reference, as Q4_0 does (TileKernels).
    // 75 MB Q4_K from DRAM, one row at a time: 5.4 → 6.9 GB/s on one core, 10.7 → 13.8 on two.

    /** 0, 1, …, 15 as exact floats: the 4-bit codes. */
    private static final FloatVector CODES = TileKernels.NIBBLE_TABLES
            ? (FloatVector) IntVector.zero(TileKernels.I).addIndex(1).convert(VectorOperators.I2F, 0)
            : null;
    // kScales: lane j < 8 is scale j, lane 8 + j is min j (see scale and min below for the layout).
    // A picks each lane's low bits, B the byte whose top two bits complete lanes 4…7 and 12…15.
    private static final IntVector SCALE_LOW_BYTE = sixteen(0, 1, 2, 3, 8, 9, 10, 11, 4, 5, 6, 7, 8, 9, 10, 11);
    private static final IntVector SCALE_LOW_SHIFT = sixteen(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 4, 4, 4);
    private static final IntVector SCALE_LOW_MASK = sixteen(63, 63, 63, 63, 15, 15, 15, 15, 63, 63, 63, 63, 15, 15, 15, 15);
    private static final IntVector SCALE_TOP_BYTE = sixteen(0, 1, 2, 3, 0, 1, 2, 3, 4, 5, 6, 7, 4, 5, 6, 7);
    private static final IntVector SCALE_TOP_MASK = sixteen(0, 0, 0, 0, 3, 3, 3, 3, 0, 0, 0, 0, 3, 3, 3, 3);
    private static final VectorMask<Float> MIN_LANES = TileKernels.NIBBLE_TABLES ? VectorMask.fromLong(F, 0xFF00L) : null;

    /** Per thread: one super-block's sixteen scale products (Q4_K: d·scale 0…7, dmin·min 8…15; Q6_K: d·scale 0…15). */
    private static final ThreadLocal<float[]> K_SCALES = ThreadLocal.withInitial(() -> new float[16]);

    private static IntVector sixteen(int... lanes) {
        return TileKernels.NIBBLE_TABLES ? IntVector.fromArray(TileKernels.I, lanes, 0) : null;
    }

    /**
     * The eight d·scale and eight dmin·min of the Q4_K super-block at {@code at} into
     * sc[0…7] and sc[8…15]: the products of the reference (an exact int times d). Sixteen lanes
     * only. Takes and returns
     * no vector, so it costs nothing when C2 does not inline it.
     */
    private static void kScales(MemorySegment data, long at, float[] sc) {
        float d = Float.float16ToFloat(data.get(F16, at));
        float dmin = Float.float16ToFloat(data.get(F16, at + 2));
        // 16 bytes from the 12 scale bytes on: the last four are nibbles, never selected
        IntVector raw = (IntVector) ByteVector.fromMemorySegment(B, data, at + 4, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, TileKernels.I, 0);
        IntVector six = SCALE_LOW_BYTE.selectFrom(raw).lanewise(VectorOperators.LSHR, SCALE_LOW_SHIFT).and(SCALE_LOW_MASK)
                .or(SCALE_TOP_BYTE.selectFrom(raw).lanewise(VectorOperators.LSHR, 6).and(SCALE_TOP_MASK).lanewise(VectorOperators.LSHL, 4));
        ((FloatVector) six.convert(VectorOperators.I2F, 0)).mul(FloatVector.broadcast(F, d).blend(dmin, MIN_LANES)).intoArray(sc, 0);
    }

    /** {@link #dotQ4_K} with vector scales and nibble tables (sixteen lanes). */
    private static float dotQ4_KTables(MemorySegment data, long firstBlock, float[] x, int xOffset, int blocks) {
        float[] sc = K_SCALES.get();
        FloatVector even = FloatVector.zero(F), odd = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long at = (firstBlock + b) * 144;
            kScales(data, at, sc);
            for (int g = 0; g < 4; g++) {
                IntVector t1 = CODES.mul(sc[2 * g]).sub(sc[8 + 2 * g]).reinterpretAsInts();
                IntVector t2 = CODES.mul(sc[2 * g + 1]).sub(sc[9 + 2 * g]).reinterpretAsInts();
                long qs = at + 16 + 32 * g;
                int xi = xOffset + b * 256 + 64 * g;
                IntVector q = (IntVector) ByteVector.fromMemorySegment(B, data, qs, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, TileKernels.I, 0);
                IntVector r = (IntVector) ByteVector.fromMemorySegment(B, data, qs + 16, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, TileKernels.I, 0);
                // same order per accumulator as the general path: l = 0 then 16
                even = q.and(0x0F).selectFrom(t1).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xi), even);
                odd = q.lanewise(VectorOperators.LSHR, 4).selectFrom(t2).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xi + 32), odd);
                even = r.and(0x0F).selectFrom(t1).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xi + 16), even);
                odd = r.lanewise(VectorOperators.LSHR, 4).selectFrom(t2).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xi + 48), odd);
            }
        }
        float[] lanes = VectorKernels.LANES.get();
        even.add(odd).intoArray(lanes, 0);
        return VectorKernels.laneSum(lanes, 0, F.length());
    }

    /** {@link #dotQ4_Kx4} with vector scales and nibble tables (sixteen lanes). */
    private static void dotQ4_Kx4Tables(MemorySegment data, long firstBlock, float[] x0, float[] x1, float[] x2,
            float[] x3, int xOffset, int blocks, float[] out) {
        float[] sc = K_SCALES.get();
        FloatVector e0 = FloatVector.zero(F), e1 = FloatVector.zero(F), e2 = FloatVector.zero(F), e3 = FloatVector.zero(F);
        FloatVector o0 = FloatVector.zero(F), o1 = FloatVector.zero(F), o2 = FloatVector.zero(F), o3 = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long at = (firstBlock + b) * 144;
            kScales(data, at, sc);
            for (int g = 0; g < 4; g++) {
                IntVector t1 = CODES.mul(sc[2 * g]).sub(sc[8 + 2 * g]).reinterpretAsInts();
                IntVector t2 = CODES.mul(sc[2 * g + 1]).sub(sc[9 + 2 * g]).reinterpretAsInts();
                long qs = at + 16 + 32 * g;
                int xi = xOffset + b * 256 + 64 * g;
                for (int l = 0; l < 32; l += 16) {
                    IntVector q = (IntVector) ByteVector.fromMemorySegment(B, data, qs + l, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, TileKernels.I, 0);
                    FloatVector w1 = q.and(0x0F).selectFrom(t1).reinterpretAsFloats();
                    FloatVector w2 = q.lanewise(VectorOperators.LSHR, 4).selectFrom(t2).reinterpretAsFloats();
                    int i1 = xi + l;
                    int i2 = xi + 32 + l;
                    e0 = w1.fma(FloatVector.fromArray(F, x0, i1), e0);
                    e1 = w1.fma(FloatVector.fromArray(F, x1, i1), e1);
                    e2 = w1.fma(FloatVector.fromArray(F, x2, i1), e2);
                    e3 = w1.fma(FloatVector.fromArray(F, x3, i1), e3);
                    o0 = w2.fma(FloatVector.fromArray(F, x0, i2), o0);
                    o1 = w2.fma(FloatVector.fromArray(F, x1, i2), o1);
                    o2 = w2.fma(FloatVector.fromArray(F, x2, i2), o2);
                    o3 = w2.fma(FloatVector.fromArray(F, x3, i2), o3);
                }
            }
        }
        float[] lanes = VectorKernels.LANES.get();
        e0.add(o0).intoArray(lanes, 0);
        e1.add(o1).intoArray(lanes, 16);
        e2.add(o2).intoArray(lanes, 32);
        e3.add(o3).intoArray(lanes, 48);
        VectorKernels.laneSums4(lanes, out);
    }

    /** Σ over {@code blocks} Q5_K super-blocks. */
    public static float dotQ5_K(MemorySegment data, long firstBlock, float[] x, int xOffset, int blocks) {
        int step = F.length();
        FloatVector even = FloatVector.zero(F), odd = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long at = (firstBlock + b) * 176;
            float d = Float.float16ToFloat(data.get(F16, at));
            float dmin = Float.float16ToFloat(data.get(F16, at + 2));
            long lo = data.get(I64, at + 4); // scale bytes 0…7
            int hi = data.get(I32, at + 12); // scale bytes 8…11
            for (int g = 0; g < 4; g++) {
                int s1 = 2 * g;
                int s2 = 2 * g + 1;
                float d1 = d * scale(lo, hi, s1);
                float m1 = dmin * min(lo, hi, s1);
                float d2 = d * scale(lo, hi, s2);
                float m2 = dmin * min(lo, hi, s2);
                long qs = at + 48 + 32 * g;
                int xi = xOffset + b * 256 + 64 * g;
                for (int l = 0; l < 32; l += step) {
                    // on ints, written out (see the Q6_K and Q4_K notes): value = nibble | bit s of qh << 4
                    IntVector q = (IntVector) ByteVector.fromMemorySegment(B, data, qs + l, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, TileKernels.I, 0);
                    IntVector h = (IntVector) ByteVector.fromMemorySegment(B, data, at + 16 + l, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, TileKernels.I, 0);
                    FloatVector w1 = ((FloatVector) q.and(0x0F).or(h.lanewise(VectorOperators.LSHR, s1).and(1).lanewise(VectorOperators.LSHL, 4))
                            .convert(VectorOperators.I2F, 0)).mul(d1).sub(m1);
                    FloatVector w2 = ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).or(h.lanewise(VectorOperators.LSHR, s2).and(1).lanewise(VectorOperators.LSHL, 4))
                            .convert(VectorOperators.I2F, 0)).mul(d2).sub(m2);
                    even = w1.fma(FloatVector.fromArray(F, x, xi + l), even);
                    odd = w2.fma(FloatVector.fromArray(F, x, xi + 32 + l), odd);
                }
            }
        }
        float[] lanes = VectorKernels.LANES.get();
        even.add(odd).intoArray(lanes, 0);
        return VectorKernels.laneSum(lanes, 0, F.length());
    }

    public static void dotQ5_Kx4(MemorySegment data, long firstBlock, float[] x0, float[] x1, float[] x2, float[] x3,
            int xOffset, int blocks, float[] out) {
        int step = F.length();
        FloatVector e0 = FloatVector.zero(F), e1 = FloatVector.zero(F), e2 = FloatVector.zero(F), e3 = FloatVector.zero(F);
        FloatVector o0 = FloatVector.zero(F), o1 = FloatVector.zero(F), o2 = FloatVector.zero(F), o3 = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long at = (firstBlock + b) * 176;
            float d = Float.float16ToFloat(data.get(F16, at));
            float dmin = Float.float16ToFloat(data.get(F16, at + 2));
            long lo = data.get(I64, at + 4); // scale bytes 0…7
            int hi = data.get(I32, at + 12); // scale bytes 8…11
            for (int g = 0; g < 4; g++) {
                int s1 = 2 * g;
                int s2 = 2 * g + 1;
                float d1 = d * scale(lo, hi, s1);
                float m1 = dmin * min(lo, hi, s1);
                float d2 = d * scale(lo, hi, s2);
                float m2 = dmin * min(lo, hi, s2);
                long qs = at + 48 + 32 * g;
                int xi = xOffset + b * 256 + 64 * g;
                for (int l = 0; l < 32; l += step) {
                    // on ints, written out (see the Q6_K and Q4_K notes): value = nibble | bit s of qh << 4
                    IntVector q = (IntVector) ByteVector.fromMemorySegment(B, data, qs + l, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, TileKernels.I, 0);
                    IntVector h = (IntVector) ByteVector.fromMemorySegment(B, data, at + 16 + l, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, TileKernels.I, 0);
                    FloatVector w1 = ((FloatVector) q.and(0x0F).or(h.lanewise(VectorOperators.LSHR, s1).and(1).lanewise(VectorOperators.LSHL, 4))
                            .convert(VectorOperators.I2F, 0)).mul(d1).sub(m1);
                    FloatVector w2 = ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).or(h.lanewise(VectorOperators.LSHR, s2).and(1).lanewise(VectorOperators.LSHL, 4))
                            .convert(VectorOperators.I2F, 0)).mul(d2).sub(m2);
                    int i1 = xi + l;
                    int i2 = xi + 32 + l;
                    e0 = w1.fma(FloatVector.fromArray(F, x0, i1), e0);
                    e1 = w1.fma(FloatVector.fromArray(F, x1, i1), e1);
                    e2 = w1.fma(FloatVector.fromArray(F, x2, i1), e2);
                    e3 = w1.fma(FloatVector.fromArray(F, x3, i1), e3);
                    o0 = w2.fma(FloatVector.fromArray(F, x0, i2), o0);
                    o1 = w2.fma(FloatVector.fromArray(F, x1, i2), o1);
                    o2 = w2.fma(FloatVector.fromArray(F, x2, i2), o2);
                    o3 = w2.fma(FloatVector.fromArray(F, x3, i2), o3);
                }
            }
        }
        float[] lanes = VectorKernels.LANES.get();
        int n = F.length();
        e0.add(o0).intoArray(lanes, 0);
        e1.add(o1).intoArray(lanes, n);
        e2.add(o2).intoArray(lanes, 2 * n);
        e3.add(o3).intoArray(lanes, 3 * n);
        VectorKernels.laneSums4(lanes, out);
    }

    /**
     * The 6-bit scale of sub-block j from the 12 packed bytes, bytes 0…7 in {@code lo} and 8…11 in
     * {@code hi} (ggml's get_scale_min_k4): sub-blocks 0…3 keep theirs in the low 6 bits of bytes
     * 0…3; 4…7 take a low nibble of bytes 8…11 and their top two bits from bytes 0…3.
     */
    private static int scale(long lo, int hi, int j) {
        return j < 4
                ? (int) (lo >>> 8 * j) & 63
                : (hi >>> 8 * (j - 4) & 0xF) | ((int) (lo >>> 8 * (j - 4)) & 0xFF) >>> 6 << 4;
    }

    /** The 6-bit min of sub-block j: bytes 4…7, or high nibbles of bytes 8…11 and the top bits of 4…7. */
    private static int min(long lo, int hi, int j) {
        return j < 4
                ? (int) (lo >>> 8 * (j + 4)) & 63
                : (hi >>> 8 * (j - 4) >>> 4 & 0xF) | ((int) (lo >>> 8 * j) & 0xFF) >>> 6 << 4;
    }
}
