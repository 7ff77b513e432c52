package org.sparrowmesh.decoder.engine.model;

/**
 * Where a sequence's keys and values live: the host's {@link KeyValueCache}, or a slot of a
 * device's cache. The scheduler handles both through this: share a prompt, reserve room, hand
 * the memory back.
 */
public interface SequenceCache {

    /** How many positions fit. */
    int capacity();

    /** A cache that starts with this one's first {@code positions} positions. */
    SequenceCache fork(int positions);

    /** Makes room now for positions below {@code positions}, so decoding allocates nothing later. */
    void reserve(int positions);

    /** Bytes of memory this cache holds (shared memory counts in every cache that holds it). */
    long referencedBytes();

    /**
     * Gives the memory back now, for caches whose memory is not the garbage collector's (a device
     * slot). The cache must not be used afterwards. The host cache does nothing.
     */
    default void release() {
    }
}
