package org.sparrowmesh.decoder.engine.kernels;

/**
 * Kernels over float arrays (attention scores and weighted values over the KV cache): the Vector
 * API when {@link KernelProvider} enabled it, else the scalar reference right here.
 */
public final class ArrayKernels {

    private static final boolean VECTOR = KernelProvider.vectorEnabled();

    private ArrayKernels() {
    }

    /** Σ a[aOffset+i]·b[bOffset+i] for i < n. */
    public static float dot(float[] a, int aOffset, float[] b, int bOffset, int n) {
        return VECTOR ? VectorKernels.dot(a, aOffset, b, bOffset, n) : scalarDot(a, aOffset, b, bOffset, n);
    }

    /** y[yOffset+i] += alpha·x[xOffset+i] for i < n. */
    public static void axpy(float alpha, float[] x, int xOffset, float[] y, int yOffset, int n) {
        if (VECTOR) {
            VectorKernels.axpy(alpha, x, xOffset, y, yOffset, n);
        } else {
            scalarAxpy(alpha, x, xOffset, y, yOffset, n);
        }
    }

    /** Σ x[xOffset+i]·h[hOffset+i] for i < n, h as IEEE halves (the F16 KV cache). */
    public static float dotHalves(float[] x, int xOffset, short[] h, int hOffset, int n) {
        return VECTOR ? HalfVectorKernels.dotHalves(x, xOffset, h, hOffset, n) : scalarDotHalves(x, xOffset, h, hOffset, n);
    }

    /** y[yOffset+i] += a·h[hOffset+i] for i < n, h as IEEE halves (the F16 KV cache). */
    public static void axpyHalves(float a, short[] h, int hOffset, float[] y, int yOffset, int n) {
        if (VECTOR) {
            HalfVectorKernels.axpyHalves(a, h, hOffset, y, yOffset, n);
        } else {
            scalarAxpyHalves(a, h, hOffset, y, yOffset, n);
        }
    }

    /** The scalar reference of {@link #dotHalves}. */
    public static float scalarDotHalves(float[] x, int xOffset, short[] h, int hOffset, int n) {
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            sum += x[xOffset + i] * Float.float16ToFloat(h[hOffset + i]);
        }
        return sum;
    }

    /** The scalar reference of {@link #axpyHalves}. */
    public static void scalarAxpyHalves(float a, short[] h, int hOffset, float[] y, int yOffset, int n) {
        for (int i = 0; i < n; i++) {
            y[yOffset + i] += a * Float.float16ToFloat(h[hOffset + i]);
        }
    }

    /** The scalar reference of {@link #dot}. */
    public static float scalarDot(float[] a, int aOffset, float[] b, int bOffset, int n) {
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            sum += a[aOffset + i] * b[bOffset + i];
        }
        return sum;
    }

    /** The scalar reference of {@link #axpy}. */
    public static void scalarAxpy(float alpha, float[] x, int xOffset, float[] y, int yOffset, int n) {
        for (int i = 0; i < n; i++) {
            y[yOffset + i] += alpha * x[xOffset + i];
        }
    }
}
