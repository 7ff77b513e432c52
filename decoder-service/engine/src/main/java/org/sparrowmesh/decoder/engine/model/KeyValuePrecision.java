package org.sparrowmesh.decoder.engine.model;

import java.util.Locale;

/** How the KV cache stores keys and values (llama.cpp's {@code --cache-type-k/v}). */
public enum KeyValuePrecision {
    /** 4 bytes per value: exact. */
    F32,
    /** 2 bytes per value: half the memory, so twice the context or sequences per MB; llama.cpp's default. */
    F16;

    /** Parses a setting's value ({@code f32} or {@code f16}, any case), naming {@code key} when it is neither. */
    public static KeyValuePrecision parse(String key, String value) {
        return switch (value == null ? "" : value.strip().toLowerCase(Locale.ROOT)) {
            case "f32" -> F32;
            case "f16" -> F16;
            default -> throw new IllegalArgumentException(key + " must be f32 or f16, got " + value);
        };
    }
}
