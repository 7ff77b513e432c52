package org.sparrowmesh.decoder.engine.kernels;

import org.sparrowmesh.decoder.engine.tensor.FloatTensor;

/**
 * The operations of the forward pass in plain scalar Java: the reference every faster kernel
 * (Vector API, CUDA) is checked against. Summation orders follow ggml where it matters for
 * agreement with llama.cpp (RMSNorm sums squares in double, as ggml's ggml_float does).
 */
public final class ScalarKernels {

    private ScalarKernels() {
    }

    /** out = x / sqrt(mean(x²) + ε) · weight, over {@code size} values. */
    public static void rmsNorm(float[] out, float[] x, FloatTensor weight, int size, float epsilon) {
        double sum = 0;
        for (int i = 0; i < size; i++) {
            sum += (double) (x[i] * x[i]);
        }
        float mean = (float) (sum / size);
        float scale = (float) (1.0 / Math.sqrt(mean + epsilon));
        for (int i = 0; i < size; i++) {
            out[i] = x[i] * scale * weight.getFloat(i);
        }
    }

    /**
     * W (rows × n) @ x (n) → out (rows): out[r] = Σ W[r, j] · x[j] — most time is spent here.
     */
    public static void matmul(float[] out, FloatTensor weight, float[] x, int rows, int n) {
        for (int r = 0; r < rows; r++) {
            out[r] = weight.dot((long) r * n, x, 0, n);
        }
    }

    /** In-place softmax of x[offset, offset + size), stable (the maximum is subtracted first). */
    public static void softmax(float[] x, int offset, int size) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < size; i++) {
            max = Math.max(max, x[offset + i]);
        }
        double sum = 0;
        for (int i = 0; i < size; i++) {
            float e = (float) Math.exp(x[offset + i] - max);
            x[offset + i] = e;
            sum += e;
        }
        float inverse = (float) (1.0 / sum);
        for (int i = 0; i < size; i++) {
            x[offset + i] *= inverse;
        }
    }

    /** SiLU(x) = x · σ(x). */
    public static float silu(float x) {
        return (float) (x / (1.0 + Math.exp(-x)));
    }
}
