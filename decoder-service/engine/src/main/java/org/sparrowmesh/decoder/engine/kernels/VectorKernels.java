package org.sparrowmesh.decoder.engine.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Dot products of weight rows stored in ggml formats with float activations, on the JDK Vector
 * API at the machine's preferred width (512-bit with AVX-512, 256 with AVX2, 128 with NEON).
 * Loaded only when {@link KernelProvider} found the {@code jdk.incubator.vector} module.
 *
 * <p>Q8_0 and Q4_0 live in {@link TileKernels} (four weight rows at a time). Each kernel here has a
 * "×4" form that reads a weight block once and multiplies it with four activation rows: in a batched step every weight byte then leaves memory once per step, not
 * once per sequence. A single-row kernel adds in exactly the order of its ×4 form, so a sequence
 * gets bit-identical logits alone or in any batch. Sums use FMA in vector lanes, so results
 * differ from the scalar reference in the last bits (the order of additions), not more.
 */
public final class VectorKernels {

    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Bytes with as many lanes as {@link #F}: one load converts into one float vector. */
    static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(F.length() * 8));
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);

    private VectorKernels() {
    }

    // ---- F32 ----------------------------------------------------------------------------------
    // Every kernel keeps two accumulators per activation row — even vectors into one, odd into the
    // other — so two FMA chains run in parallel instead of one latency-bound chain, and the ×4
    // forms do exactly the same per row, so a row gives the same bits alone or in a batch.

    /** Σ w[i]·x[xOffset+i], w read from {@code data} at byte {@code byteOffset}. */
    public static float dotF32(MemorySegment data, long byteOffset, float[] x, int xOffset, int n) {
        int step = F.length();
        int upper = F.loopBound(n);
        FloatVector even = FloatVector.zero(F), odd = FloatVector.zero(F);
        int i = 0;
        int v = 0;
        for (; i < upper; i += step, v++) {
            FloatVector w = FloatVector.fromMemorySegment(F, data, byteOffset + (long) i * Float.BYTES, LE);
            if ((v & 1) == 0) {
                even = w.fma(FloatVector.fromArray(F, x, xOffset + i), even);
            } else {
                odd = w.fma(FloatVector.fromArray(F, x, xOffset + i), odd);
            }
        }
        float sum = sum(even.add(odd));
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
        FloatVector e0 = FloatVector.zero(F), e1 = FloatVector.zero(F), e2 = FloatVector.zero(F), e3 = FloatVector.zero(F);
        FloatVector o0 = FloatVector.zero(F), o1 = FloatVector.zero(F), o2 = FloatVector.zero(F), o3 = FloatVector.zero(F);
        int i = 0;
        int v = 0;
        for (; i < upper; i += step, v++) {
            FloatVector w = FloatVector.fromMemorySegment(F, data, byteOffset + (long) i * Float.BYTES, LE);
            if ((v & 1) == 0) {
                e0 = w.fma(FloatVector.fromArray(F, x0, xOffset + i), e0);
                e1 = w.fma(FloatVector.fromArray(F, x1, xOffset + i), e1);
                e2 = w.fma(FloatVector.fromArray(F, x2, xOffset + i), e2);
                e3 = w.fma(FloatVector.fromArray(F, x3, xOffset + i), e3);
            } else {
                o0 = w.fma(FloatVector.fromArray(F, x0, xOffset + i), o0);
                o1 = w.fma(FloatVector.fromArray(F, x1, xOffset + i), o1);
                o2 = w.fma(FloatVector.fromArray(F, x2, xOffset + i), o2);
                o3 = w.fma(FloatVector.fromArray(F, x3, xOffset + i), o3);
            }
        }
        float s0 = sum(e0.add(o0)), s1 = sum(e1.add(o1));
        float s2 = sum(e2.add(o2)), s3 = sum(e3.add(o3));
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

    /**
     * Per thread: the lanes of up to four accumulators, to be summed in lane order from here
     * ({@link #laneSum}, {@link #laneSums4}) by kernels too large for C2 to inline {@link #sum}: a vector
     * passed to a call that is not inlined is boxed (96 bytes per row of a product, measured),
     * a store is not.
     */
    static final ThreadLocal<float[]> LANES = ThreadLocal.withInitial(() -> new float[4 * F.length()]);

    /** Σ w[from…from+n) in order: the lanes of one accumulator stored from {@code from}. */
    static float laneSum(float[] w, int from, int n) {
        float s = 0f;
        for (int i = 0; i < n; i++) {
            s += w[from + i];
        }
        return s;
    }

    /** out[i] = the lanes of accumulator i (stored at i · F.length() in {@code lanes}) summed in order, i < 4. */
    static void laneSums4(float[] lanes, float[] out) {
        int n = F.length();
        for (int i = 0; i < 4; i++) {
            out[i] = laneSum(lanes, i * n, n);
        }
    }

    /**
     * Σ of the lanes in lane order. Not reduceLanes(ADD): its order is unspecified and differs
     * between the interpreter's fallback and compiled code, and a kernel must give the same bits
     * before and after the JIT (so a sequence alone and in a batch agree exactly).
     */
    static float sum(FloatVector v) {
        float s = 0f;
        for (int i = 0; i < v.length(); i++) {
            s += v.lane(i);
        }
        return s;
    }
}
