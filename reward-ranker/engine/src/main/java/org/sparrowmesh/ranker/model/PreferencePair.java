package org.sparrowmesh.ranker.model;

/** Features of the preferred and the other answer to one prompt. */
public record PreferencePair(double[] chosen, double[] rejected) {
}
