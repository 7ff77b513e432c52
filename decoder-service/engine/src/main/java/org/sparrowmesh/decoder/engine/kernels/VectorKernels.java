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
 * once per sequence. A single-row kernel adds in exactly the order of its ×4 form, so a sequence
 * gets bit-identical logits alone or in any batch. Sums use FMA in vector lanes, so results
 * differ from the scalar reference in the last bits (the order of additions), not more.
 */
public final class VectorKernels {

    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Bytes with as many lanes as {@link #F}: one load converts into one float vector. */
    static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(F.length() * 8));
    private static final ValueLayout.OfShort F16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);

    private VectorKernels() {
    }

    // ---- float arrays (attention over the KV cache) -----------------------------------------

    /** Σ a[aOffset+i]·b[bOffset+i] for i < n. */
    public static float dot(float[] a, int aOffset, float[] b, int bOffset, int n) {
        int step = F.length();
        int upper = F.loopBound(n);
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
        int i = 0;
        for (; i + 2 * step <= upper; i += 2 * step) {
            a0 = FloatVector.fromArray(F, a, aOffset + i).fma(FloatVector.fromArray(F, b, bOffset + i), a0);
            a1 = FloatVector.fromArray(F, a, aOffset + i + step).fma(FloatVector.fromArray(F, b, bOffset + i + step), a1);
        }
        for (; i < upper; i += step) {
            a0 = FloatVector.fromArray(F, a, aOffset + i).fma(FloatVector.fromArray(F, b, bOffset + i), a0);
        }
        float sum = sum(a0.add(a1));
        for (; i < n; i++) {
            sum += a[aOffset + i] * b[bOffset + i];
        }
        return sum;
    }

    /** y[yOffset+i] += alpha·x[xOffset+i] for i < n. */
    public static void axpy(float alpha, float[] x, int xOffset, float[] y, int yOffset, int n) {
        int step = F.length();
        int upper = F.loopBound(n);
        FloatVector a = FloatVector.broadcast(F, alpha);
        int i = 0;
        for (; i < upper; i += step) {
            FloatVector.fromArray(F, x, xOffset + i).fma(a, FloatVector.fromArray(F, y, yOffset + i))
                    .intoArray(y, yOffset + i);
        }
        for (; i < n; i++) {
            y[yOffset + i] += alpha * x[xOffset + i];
        }
    }

    // ---- F32 ---------------------------------------------------------------------------------

    /**
     * Σ w[i]·x[xOffset+i], w read from {@code data} at byte {@code byteOffset}. Adds in exactly the
     * order of {@link #dotF32x4} for one entry, so a sequence gets the same bits alone or batched.
     */
    public static float dotF32(MemorySegment data, long byteOffset, float[] x, int xOffset, int n) {
        int step = F.length();
        int upper = F.loopBound(n);
        FloatVector a = FloatVector.zero(F);
        int i = 0;
        for (; i < upper; i += step) {
            a = FloatVector.fromMemorySegment(F, data, byteOffset + (long) i * Float.BYTES, LE)
                    .fma(FloatVector.fromArray(F, x, xOffset + i), a);
        }
        float sum = sum(a);
        for (; i < n; i++) {
            sum += data.get(F32, byteOffset + (long) i * Float.BYTES) * x[xOffset + i];
        }
        return sum;
    }

    /** Four rows of activations against one F32 weight row; results in out[0..3]. */
    public static void dotF32x4(MemorySegment data, long byteOffset, float[] x0, float[] x1, float[] x2, float[] x3,
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
        float s0 = sum(a0), s1 = sum(a1);
        float s2 = sum(a2), s3 = sum(a3);
        for (; i < n; i++) {
            float w = data.get(F32, byteOffset + (long) i * Float.BYTES);
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

    /** Σ over {@code blocks} Q8_0 blocks from block {@code firstBlock} with x[xOffset…]; same order as ×4. */
    public static float dotQ8_0(MemorySegment data, long firstBlock, float[] x, int xOffset, int blocks) {
        int step = F.length();
        FloatVector a = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long at = (firstBlock + b) * 34;
            float d = Float.float16ToFloat(data.get(F16, at));
            int xi = xOffset + b * 32;
            for (int j = 0; j < 32; j += step) {
                a = q8(data, at + 2 + j).mul(d).fma(FloatVector.fromArray(F, x, xi + j), a);
            }
        }
        return sum(a);
    }

    /** Four activation rows against one Q8_0 weight row: each block is decoded once. */
    public static void dotQ8_0x4(MemorySegment data, long firstBlock, float[] x0, float[] x1, float[] x2, float[] x3,
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
        out[0] = sum(a0);
        out[1] = sum(a1);
        out[2] = sum(a2);
        out[3] = sum(a3);
    }

    private static FloatVector q8(MemorySegment data, long at) {
        return (FloatVector) ByteVector.fromMemorySegment(B, data, at, LE).convertShape(VectorOperators.B2F, F, 0);
    }

    // ---- Q4_0: blocks of 32 = f16 d + 16 bytes; low nibbles are values 0..15, high 16..31 ----

    /** Σ over {@code blocks} Q4_0 blocks; same order as ×4. */
    public static float dotQ4_0(MemorySegment data, long firstBlock, float[] x, int xOffset, int blocks) {
        int step = F.length();
        FloatVector a = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long at = (firstBlock + b) * 18;
            float d = Float.float16ToFloat(data.get(F16, at));
            int xi = xOffset + b * 32;
            for (int j = 0; j < 16; j += step) {
                ByteVector q = ByteVector.fromMemorySegment(B, data, at + 2 + j, LE);
                FloatVector low = nibbles(q.and((byte) 0x0F)).mul(d);
                FloatVector high = nibbles(q.lanewise(VectorOperators.LSHR, 4)).mul(d);
                a = high.fma(FloatVector.fromArray(F, x, xi + 16 + j), low.fma(FloatVector.fromArray(F, x, xi + j), a));
            }
        }
        return sum(a);
    }

    public static void dotQ4_0x4(MemorySegment data, long firstBlock, float[] x0, float[] x1, float[] x2, float[] x3,
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
        out[0] = sum(a0);
        out[1] = sum(a1);
        out[2] = sum(a2);
        out[3] = sum(a3);
    }

    /**
     * Σ of the lanes in lane order. Not reduceLanes(ADD): its order is unspecified and differs
     * between the interpreter's fallback and compiled code, and a kernel must give the same bits
     * before and after the JIT (so a sequence alone and in a batch agree exactly).
     */
    private static float sum(FloatVector v) {
        float s = 0f;
        for (int i = 0; i < v.length(); i++) {
            s += v.lane(i);
        }
        return s;
    }

    /** Nibbles 0..15 as floats −8..7. */
    private static FloatVector nibbles(ByteVector q) {
        return (FloatVector) q.sub((byte) 8).convertShape(VectorOperators.B2F, F, 0);
    }
}
