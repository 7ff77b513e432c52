package org.sparrowmesh.decoder.engine.model;

/** Which pairs of a head's dimensions rotary embeddings rotate together (llama.cpp's rope types). */
public enum RopeType {
    /** LLAMA_ROPE_TYPE_NORM: adjacent pairs (x[2i], x[2i+1]) — the llama architecture. */
    NORMAL,
    /** LLAMA_ROPE_TYPE_NEOX: pairs half a rotation apart (x[i], x[i + n_rot/2]) — qwen2, gpt-neox. */
    NEOX
}
