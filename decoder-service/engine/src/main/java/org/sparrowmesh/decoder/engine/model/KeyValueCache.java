package org.sparrowmesh.decoder.engine.model;

/**
 * The keys and values of every past position of one sequence, per layer, in F32.
 * Layout per layer: position-major, {@code keyValueDimension} floats per position.
 */
public final class KeyValueCache {

    private final float[][] keys;   // (layer) [capacity * kv_dim]
    private final float[][] values; // (layer) [capacity * kv_dim]
    private final int capacity;
    private final int keyValueDimension;

    public KeyValueCache(LlamaConfiguration config, int capacity) {
        if (capacity < 1 || capacity > config.contextLength()) {
            throw new IllegalArgumentException("context size must be within [1, " + config.contextLength()
                    + "] for this model, got " + capacity);
        }
        this.capacity = capacity;
        this.keyValueDimension = config.keyValueDimension();
        this.keys = new float[config.layerCount()][(int) Math.multiplyExact((long) capacity, keyValueDimension)];
        this.values = new float[config.layerCount()][(int) Math.multiplyExact((long) capacity, keyValueDimension)];
    }

    /** How many positions fit. */
    public int capacity() {
        return capacity;
    }

    float[] keys(int layer) {
        return keys[layer];
    }

    float[] values(int layer) {
        return values[layer];
    }

    int keyValueDimension() {
        return keyValueDimension;
    }
}
