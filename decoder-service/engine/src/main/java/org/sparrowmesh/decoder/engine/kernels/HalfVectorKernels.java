package org.sparrowmesh.decoder.engine.kernels;

import static org.sparrowmesh.decoder.engine.kernels.VectorKernels.F;
import static org.sparrowmesh.decoder.engine.kernels.VectorKernels.sum;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API dot products of F16 and BF16 weight rows with float activations, the companions of
 * {@link VectorKernels#dotF32}: two accumulators (even and odd vectors) per activation row, the
 * "×4" forms adding per row exactly as the single-row forms do, a scalar tail past the last whole
 * vector.
 *
 * <p>The Vector API of JDK 25 has no half → float conversion, so F16 is decoded with integer lane
 * operations: the 15 magnitude bits shifted to a float's exponent-and-mantissa position and
 * multiplied by 2¹¹² (exact for zeros, subnormals and normals alike), infinities and NaNs given
 * the all-ones exponent with their payload, then the sign. Every value equals
 * {@link Float#float16ToFloat} bit for bit. It beats converting one half at a time with
 * {@code Float.float16ToFloat} into a per-thread scratch array and loading a vector from there:
 * measured single-threaded on a 2048×5632 matrix (AVX-512), 1.3 ms against 9–10 ms per
 * matrix × vector. BF16 is the upper half of a float: shift left 16.
 */
public final class HalfVectorKernels {

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);
    /** Shorts with as many lanes as {@link VectorKernels#F}. */
    private static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(F.length() * 16));
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());

    private HalfVectorKernels() {
    }

    // ---- F16 ----------------------------------------------------------------------------------

    /** Σ w[i]·x[xOffset+i], w as F16 in {@code data} from byte {@code byteOffset}. */
    public static float dotF16(MemorySegment data, long byteOffset, float[] x, int xOffset, int n) {
        int step = F.length();
        int upper = F.loopBound(n);
        FloatVector even = FloatVector.zero(F), odd = FloatVector.zero(F);
        int i = 0;
        int v = 0;
        for (; i < upper; i += step, v++) {
            FloatVector w = f16(data, byteOffset + 2L * i);
            if ((v & 1) == 0) {
                even = w.fma(FloatVector.fromArray(F, x, xOffset + i), even);
            } else {
                odd = w.fma(FloatVector.fromArray(F, x, xOffset + i), odd);
            }
        }
        float sum = sum(even.add(odd));
        for (; i < n; i++) {
            sum += Float.float16ToFloat(data.get(SHORT, byteOffset + 2L * i)) * x[xOffset + i];
        }
        return sum;
    }

    /** Four rows of activations against one F16 weight row; results in out[0..3]. */
    public static void dotF16x4(MemorySegment data, long byteOffset, float[] x0, float[] x1, float[] x2, float[] x3,
            int xOffset, int n, float[] out) {
        int step = F.length();
        int upper = F.loopBound(n);
        FloatVector e0 = FloatVector.zero(F), e1 = FloatVector.zero(F), e2 = FloatVector.zero(F), e3 = FloatVector.zero(F);
        FloatVector o0 = FloatVector.zero(F), o1 = FloatVector.zero(F), o2 = FloatVector.zero(F), o3 = FloatVector.zero(F);
        int i = 0;
        int v = 0;
        for (; i < upper; i += step, v++) {
            FloatVector w = f16(data, byteOffset + 2L * i);
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
        // through VectorKernels.LANES, not sum(): this method is too large for C2 to inline a call taking a vector
        float[] lanes = VectorKernels.LANES.get();
        e0.add(o0).intoArray(lanes, 0);
        e1.add(o1).intoArray(lanes, step);
        e2.add(o2).intoArray(lanes, 2 * step);
        e3.add(o3).intoArray(lanes, 3 * step);
        float s0 = VectorKernels.laneSum(lanes, 0, step), s1 = VectorKernels.laneSum(lanes, step, step);
        float s2 = VectorKernels.laneSum(lanes, 2 * step, step), s3 = VectorKernels.laneSum(lanes, 3 * step, step);
        for (; i < n; i++) {
            float w = Float.float16ToFloat(data.get(SHORT, byteOffset + 2L * i));
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

    // ---- F16 KV cache: halves in short[] blocks ---------------------------------------------

    /** F.length() halves of {@code h} from {@code offset} as floats, exactly as {@link Float#float16ToFloat}. */
    static FloatVector f16(short[] h, int offset) {
        // the same lane operations as f16(MemorySegment, long), written out: a helper taking the
        // vector is not always inlined by C2 into the kernels, and would then box it
        IntVector half = (IntVector) ShortVector.fromArray(S, h, offset).convertShape(VectorOperators.S2I, I, 0);
        IntVector magnitude = half.and(0x7FFF).lanewise(VectorOperators.LSHL, 13);
        IntVector finite = magnitude.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts();
        IntVector bits = finite.blend(magnitude.or(0x7F800000), half.and(0x7C00).eq(0x7C00));
        return bits.or(half.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
    }

    /** F.length() halves from byte {@code at} as floats, exactly as {@link Float#float16ToFloat}. */
    static FloatVector f16(MemorySegment data, long at) {
        IntVector h = (IntVector) ShortVector.fromMemorySegment(S, data, at, LE).convertShape(VectorOperators.S2I, I, 0);
        IntVector magnitude = h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13);
        // exponent 1…30 → 113…142 and subnormals → normals: one exact multiplication by 2^112
        IntVector finite = magnitude.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts();
        IntVector bits = finite.blend(magnitude.or(0x7F800000), h.and(0x7C00).eq(0x7C00));
        return bits.or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
    }

    // ---- BF16 ---------------------------------------------------------------------------------

    /** Σ w[i]·x[xOffset+i], w as BF16 in {@code data} from byte {@code byteOffset}. */
    public static float dotBF16(MemorySegment data, long byteOffset, float[] x, int xOffset, int n) {
        int step = F.length();
        int upper = F.loopBound(n);
        FloatVector even = FloatVector.zero(F), odd = FloatVector.zero(F);
        int i = 0;
        int v = 0;
        for (; i < upper; i += step, v++) {
            FloatVector w = bf16(data, byteOffset + 2L * i);
            if ((v & 1) == 0) {
                even = w.fma(FloatVector.fromArray(F, x, xOffset + i), even);
            } else {
                odd = w.fma(FloatVector.fromArray(F, x, xOffset + i), odd);
            }
        }
        float sum = sum(even.add(odd));
        for (; i < n; i++) {
            sum += Float.intBitsToFloat(data.get(SHORT, byteOffset + 2L * i) << 16) * x[xOffset + i];
        }
        return sum;
    }

    /** Four rows of activations against one BF16 weight row; results in out[0..3]. */
    public static void dotBF16x4(MemorySegment data, long byteOffset, float[] x0, float[] x1, float[] x2, float[] x3,
            int xOffset, int n, float[] out) {
        int step = F.length();
        int upper = F.loopBound(n);
        FloatVector e0 = FloatVector.zero(F), e1 = FloatVector.zero(F), e2 = FloatVector.zero(F), e3 = FloatVector.zero(F);
        FloatVector o0 = FloatVector.zero(F), o1 = FloatVector.zero(F), o2 = FloatVector.zero(F), o3 = FloatVector.zero(F);
        int i = 0;
        int v = 0;
        for (; i < upper; i += step, v++) {
            FloatVector w = bf16(data, byteOffset + 2L * i);
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
            float w = Float.intBitsToFloat(data.get(SHORT, byteOffset + 2L * i) << 16);
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

    /** F.length() BF16 values from byte {@code at} as floats: each the upper half of a float. */
    static FloatVector bf16(MemorySegment data, long at) {
        return ((IntVector) ShortVector.fromMemorySegment(S, data, at, LE).convertShape(VectorOperators.S2I, I, 0))
                .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }
}
