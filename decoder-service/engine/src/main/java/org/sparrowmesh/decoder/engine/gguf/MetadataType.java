package org.sparrowmesh.decoder.engine.gguf;

/**
 * The value types of GGUF metadata (gguf_type), with their on-disk ids.
 *
 * <p>How values appear in Java ({@link GGUFMetadata#get}): 8-, 16- and 32-bit integers, signed
 * or not, as {@link Integer} except UINT32, which is a {@link Long} like the 64-bit ones (UINT64
 * values above {@code Long.MAX_VALUE} wrap, as in ggml); FLOAT32 as {@link Float}, FLOAT64 as
 * {@link Double}, BOOL as {@link Boolean}, STRING as {@link String}, ARRAY as {@link GGUFArray}.
 */
public enum MetadataType {
    UINT8(0, 1), INT8(1, 1), UINT16(2, 2), INT16(3, 2), UINT32(4, 4), INT32(5, 4),
    FLOAT32(6, 4), BOOL(7, 1), STRING(8, 8), ARRAY(9, 12), UINT64(10, 8), INT64(11, 8), FLOAT64(12, 8);

    private final int id;
    private final int minimumBytes;

    MetadataType(int id, int minimumBytes) {
        this.id = id;
        this.minimumBytes = minimumBytes;
    }

    /** The gguf_type id written in the file. */
    public int id() {
        return id;
    }

    /** The fewest bytes one value of this type takes in the file (a string: its length field). */
    int minimumBytes() {
        return minimumBytes;
    }

    /** The type of this id, or null when the id is unknown. */
    static MetadataType byId(int id) {
        for (MetadataType t : values()) {
            if (t.id == id) {
                return t;
            }
        }
        return null;
    }
}
