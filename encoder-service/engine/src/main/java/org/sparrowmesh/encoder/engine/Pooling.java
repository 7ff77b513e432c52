package org.sparrowmesh.encoder.engine;

/** How the token vectors of a text become one sentence vector. */
public enum Pooling {
    /** Mean of the token vectors, padding excluded (sentence-transformers' default; all-MiniLM-L6-v2). */
    MEAN,
    /** The vector of the first ({@code [CLS]}) token (bge models). */
    CLS,
    /** Element-wise maximum of the token vectors, padding excluded. */
    MAX
}
