package org.sparrowmesh.ranker.scoring;

/** Where a candidate came from (proto CandidateOrigin). */
public enum Origin {
    GENERATED, GENERATED_WITH_EVIDENCE, SEARCH_SNIPPET
}
