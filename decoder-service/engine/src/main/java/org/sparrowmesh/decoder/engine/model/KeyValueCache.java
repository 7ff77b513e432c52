package org.sparrowmesh.decoder.engine.model;

/**
 * The keys and values of every past position of one sequence, per layer, in F32 or F16
 * ({@link KeyValuePrecision}), stored in blocks of {@link #BLOCK_POSITIONS} positions that are
 * allocated as the sequence grows.
 *
 * <p>Blocks can be shared: {@link #fork} gives a new cache that reads the same blocks for the
 * positions already written (the prompt of n samples is prefilled once, not n times). A write into
 * a shared block copies that block first (copy-on-write); since past positions are never
 * rewritten, only the partly filled last block of the prompt is ever copied.
 */
public final class KeyValueCache implements SequenceCache {

    /** Positions per block. */
    public static final int BLOCK_POSITIONS = 16;

    private final int capacity;
    private final int keyValueDimension;
    private final KeyValuePrecision precision;
    // F32: float[] blocks; F16: short[] blocks of IEEE halves — (layer, block) [BLOCK_POSITIONS * kv_dim], null until written
    private final Object[][] keyBlocks;
    private final Object[][] valueBlocks;
    private final boolean[] shared;        // (block) also referenced by another cache

    public KeyValueCache(LlamaConfiguration config, int capacity) {
        this(config, capacity, KeyValuePrecision.F32);
    }

    public KeyValueCache(LlamaConfiguration config, int capacity, KeyValuePrecision precision) {
        if (capacity < 1 || capacity > config.contextLength()) {
            throw new IllegalArgumentException("context size must be within [1, " + config.contextLength()
                    + "] for this model, got " + capacity);
        }
        this.capacity = capacity;
        this.precision = precision;
        this.keyValueDimension = config.keyValueDimension();
        int blocks = (capacity + BLOCK_POSITIONS - 1) / BLOCK_POSITIONS;
        this.keyBlocks = new Object[config.layerCount()][blocks];
        this.valueBlocks = new Object[config.layerCount()][blocks];
        this.shared = new boolean[blocks];
    }

    private KeyValueCache(KeyValueCache parent, int positions) {
        this.capacity = parent.capacity;
        this.precision = parent.precision;
        this.keyValueDimension = parent.keyValueDimension;
        int layers = parent.keyBlocks.length;
        int blocks = parent.shared.length;
        this.keyBlocks = new Object[layers][blocks];
        this.valueBlocks = new Object[layers][blocks];
        this.shared = new boolean[blocks];
        int sharedBlocks = (positions + BLOCK_POSITIONS - 1) / BLOCK_POSITIONS;
        for (int l = 0; l < layers; l++) {
            System.arraycopy(parent.keyBlocks[l], 0, keyBlocks[l], 0, sharedBlocks);
            System.arraycopy(parent.valueBlocks[l], 0, valueBlocks[l], 0, sharedBlocks);
        }
        for (int b = 0; b < sharedBlocks; b++) {
            shared[b] = true;
            parent.shared[b] = true;
        }
    }

    /** A cache that shares this one's first {@code positions} positions (nothing is copied now). */
    @Override
    public KeyValueCache fork(int positions) {
        if (positions < 0 || positions > capacity) {
            throw new IllegalArgumentException("cannot share " + positions + " positions of a cache of " + capacity);
        }
        return new KeyValueCache(this, positions);
    }

    @Override
    public int capacity() {
        return capacity;
    }

    public KeyValuePrecision precision() {
        return precision;
    }

    /** Bytes of the blocks this cache references (shared blocks count in every cache that holds them). */
    @Override
    public long referencedBytes() {
        long blocks = 0;
        for (Object block : keyBlocks[0]) {
            if (block != null) {
                blocks++;
            }
        }
        int bytesPerValue = precision == KeyValuePrecision.F16 ? 2 : 4;
        return blocks * keyBlocks.length * 2L * BLOCK_POSITIONS * keyValueDimension * bytesPerValue;
    }

    /**
     * Allocates now the blocks that positions below {@code positions} will need, so the decode
     * loop allocates nothing per token (blocks otherwise appear every {@link #BLOCK_POSITIONS}
     * positions as the sequence grows).
     */
    @Override
    public void reserve(int positions) {
        int blocks = Math.min(shared.length, (positions + BLOCK_POSITIONS - 1) / BLOCK_POSITIONS);
        for (int l = 0; l < keyBlocks.length; l++) {
            for (int b = 0; b < blocks; b++) {
                if (keyBlocks[l][b] == null) {
                    keyBlocks[l][b] = newBlock();
                    valueBlocks[l][b] = newBlock();
                }
            }
        }
    }

    /** Stores the key and value of {@code position} in {@code layer}. */
    void write(int layer, int position, float[] key, float[] value) {
        int block = position / BLOCK_POSITIONS;
        int offset = (position % BLOCK_POSITIONS) * keyValueDimension;
        if (shared[block]) {
            unshare(block);
        }
        if (keyBlocks[layer][block] == null) {
            keyBlocks[layer][block] = newBlock();
            valueBlocks[layer][block] = newBlock();
        }
        if (precision == KeyValuePrecision.F32) {
            System.arraycopy(key, 0, (float[]) keyBlocks[layer][block], offset, keyValueDimension);
            System.arraycopy(value, 0, (float[]) valueBlocks[layer][block], offset, keyValueDimension);
        } else {
            short[] keys = (short[]) keyBlocks[layer][block];
            short[] values = (short[]) valueBlocks[layer][block];
            for (int i = 0; i < keyValueDimension; i++) {
                keys[offset + i] = Float.floatToFloat16(key[i]);
                values[offset + i] = Float.floatToFloat16(value[i]);
            }
        }
    }

    private Object newBlock() {
        return precision == KeyValuePrecision.F32
                ? new float[BLOCK_POSITIONS * keyValueDimension]
                : new short[BLOCK_POSITIONS * keyValueDimension];
    }

    /**
     * The key block holding {@code position} — float[] (F32) or short[] of halves (F16); its values
     * start at (position % BLOCK_POSITIONS) · kv_dim.
     */
    Object keyBlock(int layer, int position) {
        return keyBlocks[layer][position / BLOCK_POSITIONS];
    }

    Object valueBlock(int layer, int position) {
        return valueBlocks[layer][position / BLOCK_POSITIONS];
    }

    int keyValueDimension() {
        return keyValueDimension;
    }

    /** Copies a shared block in every layer, so this cache can write into it alone. */
    private void unshare(int block) {
        for (int l = 0; l < keyBlocks.length; l++) {
            if (keyBlocks[l][block] instanceof float[] keys) {
                keyBlocks[l][block] = keys.clone();
                valueBlocks[l][block] = ((float[]) valueBlocks[l][block]).clone();
            } else if (keyBlocks[l][block] instanceof short[] keys) {
                keyBlocks[l][block] = keys.clone();
                valueBlocks[l][block] = ((short[]) valueBlocks[l][block]).clone();
            }
        }
        shared[block] = false;
    }
}
