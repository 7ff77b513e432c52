package org.sparrowmesh.decoder.engine.gguf;

import java.lang.reflect.Array;
import java.util.Objects;

/**
 * A metadata array: its element type and its values as one Java array — {@code int[]} for 8- to
 * 32-bit signed integers and UINT8/UINT16, {@code long[]} for UINT32 and the 64-bit integers,
 * {@code float[]}, {@code double[]}, {@code boolean[]}, {@code String[]}, or {@code GGUFArray[]}
 * for nested arrays.
 */
public record GGUFArray(MetadataType elementType, Object values) {

    public GGUFArray {
        Objects.requireNonNull(elementType, "elementType");
        if (!values.getClass().isArray()) {
            throw new IllegalArgumentException("values must be an array, got " + values.getClass());
        }
    }

    public int length() {
        return Array.getLength(values);
    }
}
