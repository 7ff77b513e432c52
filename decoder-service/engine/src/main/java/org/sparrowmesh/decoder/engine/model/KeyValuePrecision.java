package org.sparrowmesh.decoder.engine.model;

/** How the KV cache stores keys and values (llama.cpp's {@code --cache-type-k/v}). */
public enum KeyValuePrecision {
    /** 4 bytes per value: exact. */
    F32,
    /** 2 bytes per value: half the memory, so twice the context or sequences per MB; llama.cpp's default. */
    F16
}
