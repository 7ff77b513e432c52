package org.sparrowmesh.ranker.rules;

/** A rule a candidate breaks, with the penalty taken from its reward. */
public record Violation(String rule, String description, double penalty, boolean disqualifying) {
}
