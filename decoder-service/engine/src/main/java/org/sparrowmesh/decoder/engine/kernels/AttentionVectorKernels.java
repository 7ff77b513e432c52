package org.sparrowmesh.decoder.engine.kernels;

import static org.sparrowmesh.decoder.engine.kernels.VectorKernels.F;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

/**
 * Vector API kernels of attention over the KV cache, the companions of the scalar references in
 * {@link ArrayKernels}: the scores of one query against a run of cached keys, an in-place
 * softmax, and the weighted sum of a run of cached values for up to four query heads at once.
 *
 * <p>Every sum here is reduced in a fixed order made of lane-wise operations only (no
 * {@code reduceLanes}, no {@code VectorOperators.EXP}): the interpreter and compiled code then
 * give the same bits, so a sequence gets the same logits alone and in a batch, before and after
 * the JIT. Against the scalar references they differ in the last bits (order of additions, the
 * exponential's polynomial), not more.
 */
public final class AttentionVectorKernels {

    /** SWAP[k]: lane i takes lane i XOR 2^k — the butterfly that leaves a vector's sum in every lane. */
    private static final VectorShuffle<Float>[] SWAP = butterfly();

    private AttentionVectorKernels() {
    }

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] butterfly() {
        int lanes = F.length();
        int levels = Integer.numberOfTrailingZeros(lanes);
        VectorShuffle<Float>[] swaps = new VectorShuffle[levels];
        for (int k = 0; k < levels; k++) {
            int[] source = new int[lanes];
            for (int i = 0; i < lanes; i++) {
                source[i] = i ^ (1 << k);
            }
            swaps[k] = VectorShuffle.fromArray(F, source, 0);
        }
        return swaps;
    }

    /**
     * Σ of v's lanes, pairs first (lane i with lane i ^ 1, then i ^ 2, …): the same order everywhere.
     * Not {@link VectorKernels#sum}, which adds in lane order for kernels that must match others bit
     * for bit; attention has no other form to match and takes the shorter chain.
     */
    static float butterflySum(FloatVector v) {
        for (VectorShuffle<Float> swap : SWAP) {
            v = v.add(v.rearrange(swap));
        }
        return v.lane(0);
    }

    private static float butterflyMax(FloatVector v) {
        for (VectorShuffle<Float> swap : SWAP) {
            v = v.max(v.rearrange(swap));
        }
        return v.lane(0);
    }

    /**
     * out[outOffset+i] = scale · Σ_j q[qOffset+j]·keys[keyOffset + i·keyStride + j] for i < count,
     * j < n: one query against {@code count} keys {@code keyStride} floats apart.
     */
    public static void scores(float[] q, int qOffset, float[] keys, int keyOffset, int keyStride, int count, int n,
            float scale, float[] out, int outOffset) {
        int step = F.length();
        int upper = F.loopBound(n);
        for (int i = 0; i < count; i++) {
            int k = keyOffset + i * keyStride;
            FloatVector acc = FloatVector.zero(F);
            int j = 0;
            for (; j < upper; j += step) {
                acc = FloatVector.fromArray(F, q, qOffset + j).fma(FloatVector.fromArray(F, keys, k + j), acc);
            }
            float s = butterflySum(acc);
            for (; j < n; j++) {
                s += q[qOffset + j] * keys[k + j];
            }
            out[outOffset + i] = s * scale;
        }
    }

    /** x[0…size) ← softmax(x[0…size)), in place. */
    public static void softmax(float[] x, int size) {
        int step = F.length();
        int upper = F.loopBound(size);
        FloatVector m = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (; i < upper; i += step) {
            m = m.max(FloatVector.fromArray(F, x, i));
        }
        float max = butterflyMax(m);
        for (; i < size; i++) {
            max = Math.max(max, x[i]);
        }
        FloatVector shift = FloatVector.broadcast(F, max);
        FloatVector total = FloatVector.zero(F);
        for (i = 0; i < upper; i += step) {
            FloatVector e = exp(FloatVector.fromArray(F, x, i).sub(shift));
            e.intoArray(x, i);
            total = total.add(e);
        }
        float sum = butterflySum(total);
        for (; i < size; i++) {
            float e = exp(x[i] - max);
            x[i] = e;
            sum += e;
        }
        float inverse = 1f / sum;
        FloatVector scale = FloatVector.broadcast(F, inverse);
        for (i = 0; i < upper; i += step) {
            FloatVector.fromArray(F, x, i).mul(scale).intoArray(x, i);
        }
        for (; i < size; i++) {
            x[i] *= inverse;
        }
    }

    // e^x for x ≤ 0 (softmax arguments): x = n·ln2 + r with |r| ≤ ln2/2, e^r by Cephes' expf
    // polynomial (about 1 ulp), 2^n put into the exponent bits; below −87.3 (where e^x leaves the
    // normal floats) the result is 0. The same operations in the scalar tail give the same bits.
    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    private static final float ROUND = 12582912f; // 1.5 · 2^23: adding it rounds to an integer
    private static final float P0 = 1.9875691500e-4f;
    private static final float P1 = 1.3981999507e-3f;
    private static final float P2 = 8.3334519073e-3f;
    private static final float P3 = 4.1665795894e-2f;
    private static final float P4 = 1.6666665459e-1f;
    private static final float P5 = 5.0000001201e-1f;
    private static final float LOWEST = -87.33654f;

    static FloatVector exp(FloatVector x) {
        FloatVector t = x.fma(LOG2E, ROUND);
        FloatVector n = t.sub(ROUND);
        FloatVector r = n.fma(FloatVector.broadcast(F, -LN2_HI), x);
        r = n.fma(FloatVector.broadcast(F, -LN2_LO), r);
        FloatVector p = r.fma(P0, P1);
        p = p.fma(r, FloatVector.broadcast(F, P2));
        p = p.fma(r, FloatVector.broadcast(F, P3));
        p = p.fma(r, FloatVector.broadcast(F, P4));
        p = p.fma(r, FloatVector.broadcast(F, P5));
        FloatVector y = p.mul(r.mul(r)).add(r).add(1f);
        IntVector twoToN = t.reinterpretAsInts().sub(Float.floatToRawIntBits(ROUND) - 127).lanewise(VectorOperators.LSHL, 23);
        FloatVector e = y.mul(twoToN.reinterpretAsFloats());
        return e.blend(0f, x.lt(LOWEST));
    }

    static float exp(float x) {
        if (x < LOWEST) {
            return 0f;
        }
        float t = Math.fma(x, LOG2E, ROUND);
        float n = t - ROUND;
        float r = Math.fma(n, -LN2_HI, x);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(r, P0, P1);
        p = Math.fma(p, r, P2);
        p = Math.fma(p, r, P3);
        p = Math.fma(p, r, P4);
        p = Math.fma(p, r, P5);
        float y = p * (r * r) + r + 1f;
        return y * Float.intBitsToFloat((Float.floatToRawIntBits(t) - (Float.floatToRawIntBits(ROUND) - 127)) << 23);
    }

    /**
     * out[outOffset + h·n + j] += Σ_i weights[first+h][weightOffset+i] · values[valueOffset + i·valueStride + j]
     * for heads h < {@code heads}, positions i < count, j < n: query heads that share one KV head
     * take their weighted sums over the same values, four heads at a time, so a value vector is
     * loaded once for four heads and sixteen accumulators stay in registers across the positions.
     */
    public static void addWeighted(float[][] weights, int first, int heads, int weightOffset, float[] values,
            int valueOffset, int valueStride, int count, float[] out, int outOffset, int n) {
        int h = 0;
        for (; h + 4 <= heads; h += 4) {
            addWeighted4(weights[first + h], weights[first + h + 1], weights[first + h + 2], weights[first + h + 3],
                    weightOffset, values, valueOffset, valueStride, count, out, outOffset + h * n, n);
        }
        for (; h < heads; h++) {
            addWeighted1(weights[first + h], weightOffset, values, valueOffset, valueStride, count, out, outOffset + h * n, n);
        }
    }

    private static void addWeighted4(float[] w0, float[] w1, float[] w2, float[] w3, int weightOffset, float[] values,
            int valueOffset, int valueStride, int count, float[] out, int outOffset, int n) {
        int step = F.length();
        int o0 = outOffset, o1 = o0 + n, o2 = o1 + n, o3 = o2 + n;
        int j = 0;
        for (; j + 4 * step <= n; j += 4 * step) {
            int s1 = j + step, s2 = j + 2 * step, s3 = j + 3 * step;
            FloatVector a00 = FloatVector.fromArray(F, out, o0 + j), a01 = FloatVector.fromArray(F, out, o0 + s1);
            FloatVector a02 = FloatVector.fromArray(F, out, o0 + s2), a03 = FloatVector.fromArray(F, out, o0 + s3);
            FloatVector a10 = FloatVector.fromArray(F, out, o1 + j), a11 = FloatVector.fromArray(F, out, o1 + s1);
            FloatVector a12 = FloatVector.fromArray(F, out, o1 + s2), a13 = FloatVector.fromArray(F, out, o1 + s3);
            FloatVector a20 = FloatVector.fromArray(F, out, o2 + j), a21 = FloatVector.fromArray(F, out, o2 + s1);
            FloatVector a22 = FloatVector.fromArray(F, out, o2 + s2), a23 = FloatVector.fromArray(F, out, o2 + s3);
            FloatVector a30 = FloatVector.fromArray(F, out, o3 + j), a31 = FloatVector.fromArray(F, out, o3 + s1);
            FloatVector a32 = FloatVector.fromArray(F, out, o3 + s2), a33 = FloatVector.fromArray(F, out, o3 + s3);
            for (int i = 0; i < count; i++) {
                int v = valueOffset + i * valueStride;
                FloatVector v0 = FloatVector.fromArray(F, values, v + j), v1 = FloatVector.fromArray(F, values, v + s1);
                FloatVector v2 = FloatVector.fromArray(F, values, v + s2), v3 = FloatVector.fromArray(F, values, v + s3);
                FloatVector p = FloatVector.broadcast(F, w0[weightOffset + i]);
                a00 = v0.fma(p, a00);
                a01 = v1.fma(p, a01);
                a02 = v2.fma(p, a02);
                a03 = v3.fma(p, a03);
                p = FloatVector.broadcast(F, w1[weightOffset + i]);
                a10 = v0.fma(p, a10);
                a11 = v1.fma(p, a11);
                a12 = v2.fma(p, a12);
                a13 = v3.fma(p, a13);
                p = FloatVector.broadcast(F, w2[weightOffset + i]);
                a20 = v0.fma(p, a20);
                a21 = v1.fma(p, a21);
                a22 = v2.fma(p, a22);
                a23 = v3.fma(p, a23);
                p = FloatVector.broadcast(F, w3[weightOffset + i]);
                a30 = v0.fma(p, a30);
                a31 = v1.fma(p, a31);
                a32 = v2.fma(p, a32);
                a33 = v3.fma(p, a33);
            }
            a00.intoArray(out, o0 + j);
            a01.intoArray(out, o0 + s1);
            a02.intoArray(out, o0 + s2);
            a03.intoArray(out, o0 + s3);
            a10.intoArray(out, o1 + j);
            a11.intoArray(out, o1 + s1);
            a12.intoArray(out, o1 + s2);
            a13.intoArray(out, o1 + s3);
            a20.intoArray(out, o2 + j);
            a21.intoArray(out, o2 + s1);
            a22.intoArray(out, o2 + s2);
            a23.intoArray(out, o2 + s3);
            a30.intoArray(out, o3 + j);
            a31.intoArray(out, o3 + s1);
            a32.intoArray(out, o3 + s2);
            a33.intoArray(out, o3 + s3);
        }
        if (j < n) {
            // fewer than four vectors of the head left: head by head (same order per element)
            addWeightedFrom(w0, weightOffset, values, valueOffset, valueStride, count, out, o0, n, j);
            addWeightedFrom(w1, weightOffset, values, valueOffset, valueStride, count, out, o1, n, j);
            addWeightedFrom(w2, weightOffset, values, valueOffset, valueStride, count, out, o2, n, j);
            addWeightedFrom(w3, weightOffset, values, valueOffset, valueStride, count, out, o3, n, j);
        }
    }

    private static void addWeighted1(float[] w, int weightOffset, float[] values, int valueOffset, int valueStride,
            int count, float[] out, int outOffset, int n) {
        int step = F.length();
        int j = 0;
        for (; j + 4 * step <= n; j += 4 * step) {
            int s1 = j + step, s2 = j + 2 * step, s3 = j + 3 * step;
            FloatVector a0 = FloatVector.fromArray(F, out, outOffset + j), a1 = FloatVector.fromArray(F, out, outOffset + s1);
            FloatVector a2 = FloatVector.fromArray(F, out, outOffset + s2), a3 = FloatVector.fromArray(F, out, outOffset + s3);
            for (int i = 0; i < count; i++) {
                int v = valueOffset + i * valueStride;
                FloatVector p = FloatVector.broadcast(F, w[weightOffset + i]);
                a0 = FloatVector.fromArray(F, values, v + j).fma(p, a0);
                a1 = FloatVector.fromArray(F, values, v + s1).fma(p, a1);
                a2 = FloatVector.fromArray(F, values, v + s2).fma(p, a2);
                a3 = FloatVector.fromArray(F, values, v + s3).fma(p, a3);
            }
            a0.intoArray(out, outOffset + j);
            a1.intoArray(out, outOffset + s1);
            a2.intoArray(out, outOffset + s2);
            a3.intoArray(out, outOffset + s3);
        }
        addWeightedFrom(w, weightOffset, values, valueOffset, valueStride, count, out, outOffset, n, j);
    }

    /** One head's elements [from, n): a vector at a time, then scalar; each element adds in position order. */
    private static void addWeightedFrom(float[] w, int weightOffset, float[] values, int valueOffset, int valueStride,
            int count, float[] out, int outOffset, int n, int from) {
        int step = F.length();
        int j = from;
        for (; j + step <= n; j += step) {
            FloatVector a = FloatVector.fromArray(F, out, outOffset + j);
            for (int i = 0; i < count; i++) {
                a = FloatVector.fromArray(F, values, valueOffset + i * valueStride + j)
                        .fma(FloatVector.broadcast(F, w[weightOffset + i]), a);
            }
            a.intoArray(out, outOffset + j);
        }
        for (; j < n; j++) {
            float a = out[outOffset + j];
            for (int i = 0; i < count; i++) {
                a = Math.fma(values[valueOffset + i * valueStride + j], w[weightOffset + i], a);
            }
            out[outOffset + j] = a;
        }
    }

    /** out[outOffset+i] = h[hOffset+i] as a float, for i < n (a run of the F16 KV cache). */
    public static void halvesToFloats(short[] h, int hOffset, float[] out, int outOffset, int n) {
        int step = F.length();
        int upper = F.loopBound(n);
        int i = 0;
        for (; i < upper; i += step) {
            HalfVectorKernels.f16(h, hOffset + i).intoArray(out, outOffset + i);
        }
        for (; i < n; i++) {
            out[outOffset + i] = Float.float16ToFloat(h[hOffset + i]);
        }
    }
}
