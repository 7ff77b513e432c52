package org.sparrowmesh.ranker.feature;

import java.util.List;

/** Unit-length vectors of one rank call's texts, fetched together: question, candidates (in order), evidence (in order). */
public record EmbeddedTexts(float[] question, List<float[]> candidates, List<float[]> evidence) {

    public static double cosine(float[] a, float[] b) {
        double dot = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
        }
        return dot; // both unit length
    }
}
