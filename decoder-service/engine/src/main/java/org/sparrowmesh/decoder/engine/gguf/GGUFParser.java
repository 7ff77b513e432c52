package org.sparrowmesh.decoder.engine.gguf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;

/**
 * Parses the header of a memory-mapped GGUF file. Every length and count read from the file is
 * checked against the bytes that remain before it is used, so a corrupt or hostile file gives a
 * {@link GGUFFormatException} naming the problem and its offset — never an out-of-memory error,
 * a negative-size array or a read past the mapping.
 */
final class GGUFParser {

    private static final int MAGIC = 0x46554747; // "GGUF" read little-endian
    private static final int MAX_DIMENSIONS = 4; // GGML_MAX_DIMS
    private static final int MAX_ARRAY_NESTING = 8;
    private static final long MAX_STRING_BYTES = 16L << 20;
    private static final long MAX_ARRAY_ELEMENTS = 1L << 27;
    private static final long MAX_TENSORS = 1L << 20;

    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final MemorySegment file;
    private final long size;
    private long position;

    private GGUFParser(MemorySegment file) {
        this.file = file;
        this.size = file.byteSize();
    }

    static GGUFFile parse(Path path, MemorySegment file, Arena arena) {
        return new GGUFParser(file).parse(path, arena);
    }

    private GGUFFile parse(Path path, Arena arena) {
        int magic = u32("magic");
        if (magic != MAGIC) {
            throw new GGUFFormatException(String.format("bad magic 0x%08X: not a GGUF file", magic), 0);
        }
        long versionAt = position;
        int version = u32("version");
        if (version != 2 && version != 3) {
            throw new GGUFFormatException("unsupported GGUF version " + Integer.toUnsignedString(version)
                    + " (this reader takes 2 and 3)", versionAt);
        }
        long tensorCountAt = position;
        long tensorCount = u64("tensor count");
        long kvCountAt = position;
        long kvCount = u64("metadata count");
        // the smallest tensor info: name length (8), n_dims (4), one dimension (8), type (4), offset (8)
        requireCount(tensorCount, 32, "tensor count", tensorCountAt);
        if (tensorCount > MAX_TENSORS) {
            throw new GGUFFormatException("tensor count " + tensorCount + " exceeds " + MAX_TENSORS, tensorCountAt);
        }
        // the smallest key/value: key length (8), value type (4), a one-byte value
        requireCount(kvCount, 13, "metadata count", kvCountAt);

        LinkedHashMap<String, Object> values = new LinkedHashMap<>();
        LinkedHashMap<String, MetadataType> types = new LinkedHashMap<>();
        long alignmentAt = 0;
        for (long i = 0; i < kvCount; i++) {
            long keyAt = position;
            String key = string("metadata key");
            if (values.containsKey(key)) {
                throw new GGUFFormatException("duplicate metadata key " + key, keyAt);
            }
            MetadataType type = metadataType("value type of " + key);
            if (key.equals("general.alignment")) {
                alignmentAt = position;
            }
            values.put(key, value(type, key, 0));
            types.put(key, type);
        }
        GGUFMetadata metadata = new GGUFMetadata(values, types);
        int alignment = alignment(metadata, alignmentAt);

        record RawTensor(String name, long[] dimensions, GgmlType type, long bytes, long offset, long infoAt) {
        }
        RawTensor[] raw = new RawTensor[(int) tensorCount];
        for (int i = 0; i < tensorCount; i++) {
            long infoAt = position;
            String name = string("tensor name");
            long dimsAt = position;
            int dimensionCount = u32("dimension count of " + name);
            if (dimensionCount < 1 || dimensionCount > MAX_DIMENSIONS) {
                throw new GGUFFormatException("tensor " + name + " has " + Integer.toUnsignedString(dimensionCount)
                        + " dimensions (1 to " + MAX_DIMENSIONS + " allowed)", dimsAt);
            }
            long[] dimensions = new long[dimensionCount];
            long elements = 1;
            for (int d = 0; d < dimensionCount; d++) {
                long dimAt = position;
                dimensions[d] = u64("dimension of " + name);
                if (dimensions[d] < 1) {
                    throw new GGUFFormatException("tensor " + name + " has dimension " + Long.toUnsignedString(dimensions[d]), dimAt);
                }
                try {
                    elements = Math.multiplyExact(elements, dimensions[d]);
                } catch (ArithmeticException overflow) {
                    throw new GGUFFormatException("tensor " + name + " has more elements than fit 63 bits", dimAt);
                }
            }
            long typeAt = position;
            int typeId = u32("type of " + name);
            GgmlType type = GgmlType.byId(typeId);
            if (type == null) {
                throw new GGUFFormatException("tensor " + name + " has unknown ggml type " + Integer.toUnsignedString(typeId), typeAt);
            }
            if (dimensions[0] % type.blockSize() != 0) {
                throw new GGUFFormatException("tensor " + name + " of type " + type + " has a row of " + dimensions[0]
                        + " values, not a multiple of its block size " + type.blockSize(), dimsAt);
            }
            // the element count fits 63 bits, yet its bytes may not (4 per F32 value, 34 per 32 of Q8_0)
            long blocks = elements / type.blockSize();
            if (blocks > Long.MAX_VALUE / type.typeSize()) {
                throw new GGUFFormatException("tensor " + name + " of type " + type + " and " + elements
                        + " elements has more bytes than fit 63 bits", dimsAt);
            }
            long bytes = blocks * type.typeSize();
            long offsetAt = position;
            long offset = u64("data offset of " + name);
            if (offset < 0 || offset % alignment != 0) {
                throw new GGUFFormatException("tensor " + name + " data offset " + Long.toUnsignedString(offset)
                        + " is not a multiple of the alignment " + alignment, offsetAt);
            }
            raw[i] = new RawTensor(name, dimensions, type, bytes, offset, infoAt);
        }

        long dataOffset = alignUp(position, alignment);
        // a file without tensors (llama.cpp's vocab-only files) may end before the padding, as ggml allows
        if (dataOffset > size && raw.length > 0) {
            throw new GGUFFormatException("file ends before the data section (needs " + dataOffset + " bytes, has " + size + ")", position);
        }
        LinkedHashMap<String, TensorInfo> tensors = new LinkedHashMap<>();
        for (RawTensor t : raw) {
            long bytes = t.bytes();
            long start = dataOffset + t.offset();
            if (t.offset() > size || bytes > size - start || start > size) {
                throw new GGUFFormatException("tensor " + t.name() + " data (" + bytes + " bytes at data offset "
                        + t.offset() + ") lies beyond the end of the file (" + size + " bytes)", t.infoAt());
            }
            if (tensors.containsKey(t.name())) {
                throw new GGUFFormatException("duplicate tensor name " + t.name(), t.infoAt());
            }
            tensors.put(t.name(), new TensorInfo(t.name(), t.dimensions(), t.type(), t.offset(), file.asSlice(start, bytes)));
        }
        return new GGUFFile(path, arena, version, alignment, dataOffset, metadata, tensors);
    }

    private static int alignment(GGUFMetadata metadata, long valueAt) {
        if (!metadata.contains("general.alignment")) {
            return GGUFFile.DEFAULT_ALIGNMENT;
        }
        Object value = metadata.get("general.alignment");
        long alignment = value instanceof Long l ? l : value instanceof Integer i ? i : -1;
        if (alignment <= 0 || alignment > (1 << 20) || Long.bitCount(alignment) != 1) {
            throw new GGUFFormatException("general.alignment " + value + " is not a power of two up to 1 MiB", valueAt);
        }
        return (int) alignment;
    }

    private Object value(MetadataType type, String key, int depth) {
        long at = position;
        return switch (type) {
            case UINT8 -> Byte.toUnsignedInt(u8(key));
            case INT8 -> (int) u8(key);
            case UINT16 -> Short.toUnsignedInt(u16(key));
            case INT16 -> (int) u16(key);
            case UINT32 -> Integer.toUnsignedLong(u32(key));
            case INT32 -> u32(key);
            case UINT64, INT64 -> u64(key);
            case FLOAT32 -> {
                require(4, key);
                float f = file.get(F32, position);
                position += 4;
                yield f;
            }
            case FLOAT64 -> {
                require(8, key);
                double d = file.get(F64, position);
                position += 8;
                yield d;
            }
            case BOOL -> {
                byte b = u8(key);
                if (b != 0 && b != 1) {
                    throw new GGUFFormatException("metadata " + key + " is a bool of value " + b, at);
                }
                yield b == 1;
            }
            case STRING -> string(key);
            case ARRAY -> array(key, depth);
        };
    }

    private GGUFArray array(String key, int depth) {
        if (depth >= MAX_ARRAY_NESTING) {
            throw new GGUFFormatException("metadata " + key + " nests arrays deeper than " + MAX_ARRAY_NESTING, position);
        }
        MetadataType elementType = metadataType("element type of " + key);
        long lengthAt = position;
        long length = u64("array length of " + key);
        if (length < 0 || length > MAX_ARRAY_ELEMENTS) {
            throw new GGUFFormatException("metadata " + key + " claims " + Long.toUnsignedString(length)
                    + " elements (at most " + MAX_ARRAY_ELEMENTS + " accepted)", lengthAt);
        }
        requireCount(length, elementType.minimumBytes(), "array length of " + key, lengthAt);
        int n = (int) length;
        return switch (elementType) {
            case UINT8, INT8, UINT16, INT16, INT32 -> {
                int[] values = new int[n];
                for (int i = 0; i < n; i++) {
                    values[i] = (Integer) value(elementType, key, depth + 1);
                }
                yield new GGUFArray(elementType, values);
            }
            case UINT32, UINT64, INT64 -> {
                long[] values = new long[n];
                for (int i = 0; i < n; i++) {
                    values[i] = (Long) value(elementType, key, depth + 1);
                }
                yield new GGUFArray(elementType, values);
            }
            case FLOAT32 -> {
                float[] values = new float[n];
                for (int i = 0; i < n; i++) {
                    values[i] = (Float) value(elementType, key, depth + 1);
                }
                yield new GGUFArray(elementType, values);
            }
            case FLOAT64 -> {
                double[] values = new double[n];
                for (int i = 0; i < n; i++) {
                    values[i] = (Double) value(elementType, key, depth + 1);
                }
                yield new GGUFArray(elementType, values);
            }
            case BOOL -> {
                boolean[] values = new boolean[n];
                for (int i = 0; i < n; i++) {
                    values[i] = (Boolean) value(elementType, key, depth + 1);
                }
                yield new GGUFArray(elementType, values);
            }
            case STRING -> {
                String[] values = new String[n];
                for (int i = 0; i < n; i++) {
                    values[i] = string(key);
                }
                yield new GGUFArray(elementType, values);
            }
            case ARRAY -> {
                GGUFArray[] values = new GGUFArray[n];
                for (int i = 0; i < n; i++) {
                    values[i] = array(key, depth + 1);
                }
                yield new GGUFArray(elementType, values);
            }
        };
    }

    private MetadataType metadataType(String what) {
        long at = position;
        int id = u32(what);
        MetadataType type = MetadataType.byId(id);
        if (type == null) {
            throw new GGUFFormatException("unknown metadata value type " + Integer.toUnsignedString(id) + " (" + what + ")", at);
        }
        return type;
    }

    /**
     * GGUF strings are UTF-8 with a 64-bit length. Invalid UTF-8 is not an error here: vocabularies
     * hold partial byte sequences on purpose, so bad bytes become U+FFFD, as llama.cpp prints them.
     */
    private String string(String what) {
        long lengthAt = position;
        long length = u64("length of " + what);
        if (length < 0 || length > MAX_STRING_BYTES) {
            throw new GGUFFormatException("string (" + what + ") claims " + Long.toUnsignedString(length)
                    + " bytes (at most " + MAX_STRING_BYTES + " accepted)", lengthAt);
        }
        require(length, what);
        byte[] bytes = file.asSlice(position, length).toArray(ValueLayout.JAVA_BYTE);
        position += length;
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private byte u8(String what) {
        require(1, what);
        return file.get(ValueLayout.JAVA_BYTE, position++);
    }

    private short u16(String what) {
        require(2, what);
        short v = file.get(U16, position);
        position += 2;
        return v;
    }

    private int u32(String what) {
        require(4, what);
        int v = file.get(U32, position);
        position += 4;
        return v;
    }

    private long u64(String what) {
        require(8, what);
        long v = file.get(U64, position);
        position += 8;
        return v;
    }

    private void require(long bytes, String what) {
        if (bytes > size - position) {
            throw new GGUFFormatException("file truncated: " + what + " needs " + bytes + " bytes, "
                    + (size - position) + " remain", position);
        }
    }

    /** A count is absurd when even its smallest encoding would not fit in what remains. */
    private void requireCount(long count, int minimumBytesEach, String what, long at) {
        long remaining = size - position;
        if (count < 0 || count > remaining / minimumBytesEach) {
            throw new GGUFFormatException(what + " " + Long.toUnsignedString(count) + " cannot fit in the "
                    + remaining + " bytes that remain", at);
        }
    }

    private static long alignUp(long value, int alignment) {
        return (value + alignment - 1) / alignment * alignment;
    }
}
