package org.sparrowmesh.decoder.engine.gguf;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The key/value metadata of a GGUF file, in file order, with typed accessors that name the key
 * when it is missing or of another type.
 */
public final class GGUFMetadata {

    private final Map<String, Object> values;
    private final Map<String, MetadataType> types;

    GGUFMetadata(LinkedHashMap<String, Object> values, LinkedHashMap<String, MetadataType> types) {
        this.values = Collections.unmodifiableMap(values);
        this.types = Collections.unmodifiableMap(types);
    }

    /** A metadata set built in code, e.g. for the writer; insertion order is kept. */
    public static GGUFMetadata of(LinkedHashMap<String, Object> values, LinkedHashMap<String, MetadataType> types) {
        if (!values.keySet().equals(types.keySet())) {
            throw new IllegalArgumentException("every value needs a type and every type a value");
        }
        return new GGUFMetadata(new LinkedHashMap<>(values), new LinkedHashMap<>(types));
    }

    public Set<String> keys() {
        return values.keySet();
    }

    public boolean contains(String key) {
        return values.containsKey(key);
    }

    /** The value as read (see {@link MetadataType} for the Java types), or null when absent. */
    public Object get(String key) {
        return values.get(key);
    }

    /** The on-disk type of a key, or null when absent. */
    public MetadataType type(String key) {
        return types.get(key);
    }

    public String getString(String key) {
        return require(key, String.class);
    }

    public Optional<String> findString(String key) {
        return contains(key) ? Optional.of(getString(key)) : Optional.empty();
    }

    /** Any integer type whose value fits an int. */
    public int getInt(String key) {
        long value = getLong(key);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("metadata " + key + " = " + value + " does not fit a 32-bit int");
        }
        return (int) value;
    }

    public Optional<Integer> findInt(String key) {
        return contains(key) ? Optional.of(getInt(key)) : Optional.empty();
    }

    /** Any integer type. */
    public long getLong(String key) {
        Object value = require(key, Object.class);
        if (value instanceof Integer i) {
            return i;
        }
        if (value instanceof Long l) {
            return l;
        }
        throw wrongType(key, "an integer");
    }

    /** FLOAT32 or FLOAT64. */
    public float getFloat(String key) {
        Object value = require(key, Object.class);
        if (value instanceof Float f) {
            return f;
        }
        if (value instanceof Double d) {
            return d.floatValue();
        }
        throw wrongType(key, "a float");
    }

    public Optional<Float> findFloat(String key) {
        return contains(key) ? Optional.of(getFloat(key)) : Optional.empty();
    }

    public boolean getBoolean(String key) {
        return require(key, Boolean.class);
    }

    public Optional<Boolean> findBoolean(String key) {
        return contains(key) ? Optional.of(getBoolean(key)) : Optional.empty();
    }

    public GGUFArray getArray(String key) {
        return require(key, GGUFArray.class);
    }

    public String[] getStringArray(String key) {
        return arrayOf(key, String[].class, "strings");
    }

    public float[] getFloatArray(String key) {
        return arrayOf(key, float[].class, "float32 values");
    }

    /** An array of 8- to 32-bit integers (UINT8, INT8, UINT16, INT16, INT32). */
    public int[] getIntArray(String key) {
        return arrayOf(key, int[].class, "integers of at most 32 bits");
    }

    private <T> T arrayOf(String key, Class<T> javaType, String what) {
        GGUFArray array = getArray(key);
        if (!javaType.isInstance(array.values())) {
            throw wrongType(key, "an array of " + what + " (it holds " + array.elementType() + ")");
        }
        return javaType.cast(array.values());
    }

    private <T> T require(String key, Class<T> javaType) {
        Object value = values.get(key);
        if (value == null) {
            throw new IllegalArgumentException("metadata key " + key + " is missing");
        }
        if (!javaType.isInstance(value)) {
            throw wrongType(key, javaType.getSimpleName());
        }
        return javaType.cast(value);
    }

    private IllegalArgumentException wrongType(String key, String expected) {
        return new IllegalArgumentException("metadata " + key + " is " + types.get(key) + ", expected " + expected);
    }
}
