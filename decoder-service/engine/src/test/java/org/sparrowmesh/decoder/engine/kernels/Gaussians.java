package org.sparrowmesh.decoder.engine.kernels;

import java.util.Random;

/** Test inputs of the kernel tests: standard-normal floats from a seeded generator. */
final class Gaussians {

    private Gaussians() {
    }

    /** n values drawn from {@code random}'s standard normal distribution. */
    static float[] gaussian(Random random, int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }
}
