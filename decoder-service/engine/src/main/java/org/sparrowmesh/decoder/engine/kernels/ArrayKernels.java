package org.sparrowmesh.decoder.engine.kernels;

/**
 * Kernels of attention over the KV cache (scores, softmax, weighted values): the Vector API when
 * {@link KernelProvider} enabled it ({@link AttentionVectorKernels}), else the scalar reference
 * right here.
 */
public final class ArrayKernels {

    private static final boolean VECTOR = KernelProvider.vectorEnabled();

    private ArrayKernels() {
    }

    /**
     * out[outOffset+i] = scale · Σ_j q[qOffset+j]·keys[keyOffset + i·keyStride + j] for i < count,
     * j < n: one query against {@code count} keys {@code keyStride} floats apart.
     */
    public static void scores(float[] q, int qOffset, float[] keys, int keyOffset, int keyStride, int count, int n,
            float scale, float[] out, int outOffset) {
        if (VECTOR) {
            AttentionVectorKernels.scores(q, qOffset, keys, keyOffset, keyStride, count, n, scale, out, outOffset);
        } else {
            scalarScores(q, qOffset, keys, keyOffset, keyStride, count, n, scale, out, outOffset);
        }
    }

    /** x[0…size) ← softmax(x[0…size)), in place. */
    public static void softmax(float[] x, int size) {
        if (VECTOR) {
            AttentionVectorKernels.softmax(x, size);
        } else {
            scalarSoftmax(x, size);
        }
    }

    /**
     * out[outOffset + h·n + j] += Σ_i weights[first+h][weightOffset+i] · values[valueOffset + i·valueStride + j]
     * for heads h < {@code heads}, positions i < count, j < n: the weighted values of the query
     * heads that share one KV head.
     */
    public static void addWeighted(float[][] weights, int first, int heads, int weightOffset, float[] values,
            int valueOffset, int valueStride, int count, float[] out, int outOffset, int n) {
        if (VECTOR) {
            AttentionVectorKernels.addWeighted(weights, first, heads, weightOffset, values, valueOffset, valueStride, count,
                    out, outOffset, n);
        } else {
            scalarAddWeighted(weights, first, heads, weightOffset, values, valueOffset, valueStride, count, out, outOffset, n);
        }
    }

    /** out[outOffset+i] = h[hOffset+i] as a float, for i < n (a run of the F16 KV cache). */
    public static void halvesToFloats(short[] h, int hOffset, float[] out, int outOffset, int n) {
        if (VECTOR) {
            AttentionVectorKernels.halvesToFloats(h, hOffset, out, outOffset, n);
        } else {
            scalarHalvesToFloats(h, hOffset, out, outOffset, n);
        }
    }

    /** The scalar reference of {@link #scores}: each dot product in element order. */
    public static void scalarScores(float[] q, int qOffset, float[] keys, int keyOffset, int keyStride, int count, int n,
            float scale, float[] out, int outOffset) {
        for (int i = 0; i < count; i++) {
            int k = keyOffset + i * keyStride;
            float sum = 0f;
            for (int j = 0; j < n; j++) {
                sum += q[qOffset + j] * keys[k + j];
            }
            out[outOffset + i] = sum * scale;
        }
    }

    /** The scalar reference of {@link #softmax}: exponentials of x − max, summed in double. */
    public static void scalarSoftmax(float[] x, int size) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < size; i++) {
            max = Math.max(max, x[i]);
        }
        double sum = 0;
        for (int i = 0; i < size; i++) {
            float e = (float) Math.exp(x[i] - max);
            x[i] = e;
            sum += e;
        }
        float inverse = (float) (1.0 / sum);
        for (int i = 0; i < size; i++) {
            x[i] *= inverse;
        }
    }

    /** The scalar reference of {@link #addWeighted}: head by head, position by position. */
    public static void scalarAddWeighted(float[][] weights, int first, int heads, int weightOffset, float[] values,
            int valueOffset, int valueStride, int count, float[] out, int outOffset, int n) {
        for (int h = 0; h < heads; h++) {
            float[] w = weights[first + h];
            int o = outOffset + h * n;
            for (int i = 0; i < count; i++) {
                float p = w[weightOffset + i];
                int v = valueOffset + i * valueStride;
                for (int j = 0; j < n; j++) {
                    out[o + j] += p * values[v + j];
                }
            }
        }
    }

    /** The scalar reference of {@link #halvesToFloats}. */
    public static void scalarHalvesToFloats(short[] h, int hOffset, float[] out, int outOffset, int n) {
        for (int i = 0; i < n; i++) {
            out[outOffset + i] = Float.float16ToFloat(h[hOffset + i]);
        }
    }
}
