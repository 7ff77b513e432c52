package org.sparrowmesh.decoder.engine.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Dot products of weight rows stored in ggml formats with float activations, on the JDK Vector
 * API at the machine's preferred width (512-bit with AVX-512, 256 with AVX2, 128 with NEON).
 * Loaded only when {@link KernelProvider} found the {@code jdk.incubator.vector} module.
 *
 * <p>Each kernel has a "×4" form that reads a weight block once and multiplies it with four
 * activation rows: in a batched step every weight byte then leaves memory once per step, not
 * once per sequence. Sums use several vector accumulators and FMA, so results differ from the
 * scalar reference in the last bits (the order of additions), not more.
 */
final class VectorKernels {

    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Bytes with as many lanes as {@link #F}: one load converts into one float vector. */
    static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(F.length() * 8));
    private static final ValueLayout.OfShort F16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private VectorKernels() {
    }

    // ---- F32 ---------------------------------------------------------------------------------

    /** Σ w[i]·x[xOffset+i], w read from {@code data} at byte {@code byteOffset}. */
    static float dotF32(MemorySegment data, long byteOffset, float[] x, int xOffset, int n) {
        int step = F.length();
        int upper = F.loopBound(n);
        // 4 accumulators hide the FMA latency
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        int i = 0;
        for (; i + 4 * step <= upper; i += 4 * step) {
            long at = byteOffset + (long) i * Float.BYTES;
            a0 = FloatVector.fromMemorySegment(F, data, at, LE).fma(FloatVector.fromArray(F, x, xOffset + i), a0);
            a1 = FloatVector.fromMemorySegment(F, data, at + step * 4L, LE).fma(FloatVector.fromArray(F, x, xOffset + i + step), a1);
            a2 = FloatVector.fromMemorySegment(F, data, at + step * 8L, LE).fma(FloatVector.fromArray(F, x, xOffset + i + 2 * step), a2);
            a3 = FloatVector.fromMemorySegment(F, data, at + step * 12L, LE).fma(FloatVector.fromArray(F, x, xOffset + i + 3 * step), a3);
        }
        for (; i < upper; i += step) {
            a0 = FloatVector.fromMemorySegment(F, data, byteOffset + (long) i * Float.BYTES, LE)
                    .fma(FloatVector.fromArray(F, x, xOffset + i), a0);
        }
        float sum = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += data.get(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE), byteOffset + (long) i * Float.BYTES) * x[xOffset + i];
        }
        return sum;
    }

    /** Four rows of activations against one F32 weight row; results in out[0..3]. */
    static void dotF32x4(MemorySegment data, long byteOffset, float[] x0, float[] x1, float[] x2, float[] x3,
            int xOffset, int n, float[] out) {
        int step = F.length();
        int upper = F.loopBound(n);
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        int i = 0;
        for (; i < upper; i += step) {
            FloatVector w = FloatVector.fromMemorySegment(F, data, byteOffset + (long) i * Float.BYTES, LE);
            a0 = w.fma(FloatVector.fromArray(F, x0, xOffset + i), a0);
            a1 = w.fma(FloatVector.fromArray(F, x1, xOffset + i), a1);
            a2 = w.fma(FloatVector.fromArray(F, x2, xOffset + i), a2);
            a3 = w.fma(FloatVector.fromArray(F, x3, xOffset + i), a3);
        }
        float s0 = a0.reduceLanes(VectorOperators.ADD), s1 = a1.reduceLanes(VectorOperators.ADD);
        float s2 = a2.reduceLanes(VectorOperators.ADD), s3 = a3.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            float w = data.get(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE), byteOffset + (long) i * Float.BYTES);
            s0 += w * x0[xOffset + i];
            s1 += w * x1[xOffset + i];
            s2 += w * x2[xOffset + i];
            s3 += w * x3[xOffset + i];
        }
        out[0] = s0;
        out[1] = s1;
        out[2] = s2;
        out[3] = s3;
    }

    // ---- Q8_0: blocks of 32 = f16 d + 32 × int8 (34 bytes) ------------------------------------

    /** Σ over {@code blocks} Q8_0 blocks starting at block {@code firstBlock} with x[xOffset…]. */
    static float dotQ8_0(MemorySegment data, long firstBlock, float[] x, int xOffset, int blocks) {
        int step = F.length();
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long at = (firstBlock + b) * 34;
            FloatVector d = FloatVector.broadcast(F, Float.float16ToFloat(data.get(F16, at)));
            int xi = xOffset + b * 32;
            for (int j = 0; j < 32; j += 2 * step) {
                // 2 accumulators: the two halves of a block are independent chains
                a0 = q8(data, at + 2 + j).mul(d).fma(FloatVector.fromArray(F, x, xi + j), a0);
                if (j + step < 32) {
                    a1 = q8(data, at + 2 + j + step).mul(d).fma(FloatVector.fromArray(F, x, xi + j + step), a1);
                }
            }
        }
        return a0.add(a1).reduceLanes(VectorOperators.ADD);
    }

    /** Four activation rows against one Q8_0 weight row: each block is decoded once. */
    static void dotQ8_0x4(MemorySegment data, long firstBlock, float[] x0, float[] x1, float[] x2, float[] x3,
            int xOffset, int blocks, float[] out) {
        int step = F.length();
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long at = (firstBlock + b) * 34;
            float d = Float.float16ToFloat(data.get(F16, at));
            int xi = xOffset + b * 32;
            for (int j = 0; j < 32; j += step) {
                FloatVector w = q8(data, at + 2 + j).mul(d);
                a0 = w.fma(FloatVector.fromArray(F, x0, xi + j), a0);
                a1 = w.fma(FloatVector.fromArray(F, x1, xi + j), a1);
                a2 = w.fma(FloatVector.fromArray(F, x2, xi + j), a2);
                a3 = w.fma(FloatVector.fromArray(F, x3, xi + j), a3);
            }
        }
        out[0] = a0.reduceLanes(VectorOperators.ADD);
        out[1] = a1.reduceLanes(VectorOperators.ADD);
        out[2] = a2.reduceLanes(VectorOperators.ADD);
        out[3] = a3.reduceLanes(VectorOperators.ADD);
    }

    private static FloatVector q8(MemorySegment data, long at) {
        return (FloatVector) ByteVector.fromMemorySegment(B, data, at, LE).convertShape(VectorOperators.B2F, F, 0);
    }

    // ---- Q4_0: blocks of 32 = f16 d + 16 bytes; low nibbles are values 0..15, high 16..31 ----

    static float dotQ4_0(MemorySegment data, long firstBlock, float[] x, int xOffset, int blocks) {
        int step = F.length();
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long at = (firstBlock + b) * 18;
            FloatVector d = FloatVector.broadcast(F, Float.float16ToFloat(data.get(F16, at)));
            int xi = xOffset + b * 32;
            for (int j = 0; j < 16; j += step) {
                ByteVector q = ByteVector.fromMemorySegment(B, data, at + 2 + j, LE);
                a0 = nibbles(q.and((byte) 0x0F)).mul(d).fma(FloatVector.fromArray(F, x, xi + j), a0);
                a1 = nibbles(q.lanewise(VectorOperators.LSHR, 4)).mul(d).fma(FloatVector.fromArray(F, x, xi + 16 + j), a1);
            }
        }
        return a0.add(a1).reduceLanes(VectorOperators.ADD);
    }

    static void dotQ4_0x4(MemorySegment data, long firstBlock, float[] x0, float[] x1, float[] x2, float[] x3,
            int xOffset, int blocks, float[] out) {
        int step = F.length();
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long at = (firstBlock + b) * 18;
            float d = Float.float16ToFloat(data.get(F16, at));
            int xi = xOffset + b * 32;
            for (int j = 0; j < 16; j += step) {
                ByteVector q = ByteVector.fromMemorySegment(B, data, at + 2 + j, LE);
                FloatVector low = nibbles(q.and((byte) 0x0F)).mul(d);
                FloatVector high = nibbles(q.lanewise(VectorOperators.LSHR, 4)).mul(d);
                a0 = high.fma(FloatVector.fromArray(F, x0, xi + 16 + j), low.fma(FloatVector.fromArray(F, x0, xi + j), a0));
                a1 = high.fma(FloatVector.fromArray(F, x1, xi + 16 + j), low.fma(FloatVector.fromArray(F, x1, xi + j), a1));
                a2 = high.fma(FloatVector.fromArray(F, x2, xi + 16 + j), low.fma(FloatVector.fromArray(F, x2, xi + j), a2));
                a3 = high.fma(FloatVector.fromArray(F, x3, xi + 16 + j), low.fma(FloatVector.fromArray(F, x3, xi + j), a3));
            }
        }
        out[0] = a0.reduceLanes(VectorOperators.ADD);
        out[1] = a1.reduceLanes(VectorOperators.ADD);
        out[2] = a2.reduceLanes(VectorOperators.ADD);
        out[3] = a3.reduceLanes(VectorOperators.ADD);
    }

    /** Nibbles 0..15 as floats −8..7. */
    private static FloatVector nibbles(ByteVector q) {
        return (FloatVector) q.sub((byte) 8).convertShape(VectorOperators.B2F, F, 0);
    }
}
