package org.sparrowmesh.encoder.embedding;

/**
 * Cosine and norm of embedding vectors, summed in double precision: what tests compare embeddings
 * with, and what callers of the encoder (retrieval, ranker) score similarity with.
 */
public final class VectorMath {

    private VectorMath() {
    }

    /** Cosine similarity of two vectors of the same length; 0 when either is all zeros. */
    public static double cosine(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("vectors differ in length: " + a.length + " vs " + b.length);
        }
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
    }

    /** Euclidean length. */
    public static double norm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        return Math.sqrt(s);
    }
}
