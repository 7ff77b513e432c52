package org.sparrowmesh.decoder.engine.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each named corruption of a small file whose layout is known byte for byte gives a
 * {@link GGUFFormatException} whose message names the problem and the offset of the bad field.
 */
class GGUFCorruptionTest {

    // Layout of the file made in setUp (one key "k" = "v", one STRING-array key "a", one tensor "t"):
    private static final int VERSION = 4;
    private static final int TENSOR_COUNT = 8;
    private static final int KV_COUNT = 16;
    private static final int KEY_LENGTH = 24;        // u64 1, then "k"
    private static final int VALUE_TYPE = 33;        // u32 STRING
    private static final int STRING_LENGTH = 37;     // u64 1, then "v"
    private static final int ARRAY_KEY_LENGTH = 46;  // u64 1, then "a"
    private static final int ARRAY_TYPE = 55;        // u32 ARRAY
    private static final int ELEMENT_TYPE = 59;      // u32 STRING
    private static final int ARRAY_LENGTH = 63;      // u64 2, then "xy" as two strings
    private static final int TENSOR_NAME = 89;       // u64 1, then "t"
    private static final int DIMENSION_COUNT = 98;   // u32 2
    private static final int DIMENSION_0 = 102;      // u64 32
    private static final int DIMENSION_1 = 110;      // u64 2
    private static final int GGML_TYPE = 118;        // u32 Q8_0
    private static final int DATA_OFFSET = 122;      // u64 0
    private static final int DATA = 160;             // 130 aligned up to 32

    private static byte[] valid;

    @BeforeAll
    static void setUp(@TempDir Path dir) throws IOException {
        Path file = GGUFWriter.create(dir.resolve("small.gguf"))
                .metadata("k", "v")
                .metadata("a", MetadataType.ARRAY, new GGUFArray(MetadataType.STRING, new String[] {"x", "y"}))
                .tensor("t", GgmlType.Q8_0, new long[] {32, 2}, new float[64])
                .write();
        valid = Files.readAllBytes(file);
        assertThat(valid).hasSize(DATA + 2 * 34 + 28); // data padded to the alignment
        try (GGUFFile gguf = GGUFFile.open(file)) {
            assertThat(gguf.dataOffset()).isEqualTo(DATA);
        }
    }

    private static GGUFFormatException parseFails(byte[] bytes) {
        try (Arena arena = Arena.ofConfined()) {
            GGUFFormatException e = catchThrowableOfType(GGUFFormatException.class,
                    () -> GGUFParser.parse(Path.of("corrupt.gguf"), MemorySegment.ofArray(bytes), arena));
            assertThat(e).as("a GGUFFormatException").isNotNull();
            assertThat(e.getMessage()).endsWith(" at offset " + e.offset());
            return e;
        }
    }

    private static byte[] withU32(int at, int value) {
        byte[] b = valid.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(at, value);
        return b;
    }

    private static byte[] withU64(int at, long value) {
        byte[] b = valid.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(at, value);
        return b;
    }

    @Test
    void theUncorruptedFileParses() {
        try (Arena arena = Arena.ofConfined()) {
            GGUFFile gguf = GGUFParser.parse(Path.of("small.gguf"), MemorySegment.ofArray(valid), arena);
            assertThat(gguf.metadata().getString("k")).isEqualTo("v");
            assertThat(gguf.metadata().getStringArray("a")).containsExactly("x", "y");
            assertThat(gguf.tensor("t").type()).isEqualTo(GgmlType.Q8_0);
        }
    }

    @Test
    void badMagic() {
        GGUFFormatException e = parseFails(withU32(0, 0x46554746));
        assertThat(e.getMessage()).contains("bad magic 0x46554746");
        assertThat(e.offset()).isZero();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 4, 0x03000000})
    void unknownVersion(int version) {
        GGUFFormatException e = parseFails(withU32(VERSION, version));
        assertThat(e.getMessage()).contains("unsupported GGUF version " + version);
        assertThat(e.offset()).isEqualTo(VERSION);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 3, 7, 20, KEY_LENGTH + 4, VALUE_TYPE + 2, STRING_LENGTH + 8, ARRAY_LENGTH + 12, DIMENSION_1,
            DATA_OFFSET + 7})
    void truncatedHeader(int length) {
        GGUFFormatException e = parseFails(Arrays.copyOf(valid, length));
        assertThat(e.getMessage()).containsAnyOf("file truncated", "cannot fit");
        assertThat(e.offset()).isBetween(0L, (long) length);
    }

    @Test
    void truncatedData() {
        GGUFFormatException e = parseFails(Arrays.copyOf(valid, DATA + 60));
        assertThat(e.getMessage()).contains("tensor t data (68 bytes at data offset 0) lies beyond the end of the file");
        assertThat(e.offset()).isEqualTo(TENSOR_NAME);
    }

    @ParameterizedTest
    @ValueSource(longs = {64, 1L << 40, Long.MAX_VALUE & ~31L})
    void tensorDataBeyondTheEnd(long offset) {
        GGUFFormatException e = parseFails(withU64(DATA_OFFSET, offset));
        assertThat(e.getMessage()).contains("tensor t data").contains("data offset " + offset).contains("beyond the end");
        assertThat(e.offset()).isEqualTo(TENSOR_NAME);
    }

    @Test
    void misalignedTensorData() {
        GGUFFormatException e = parseFails(withU64(DATA_OFFSET, 4));
        assertThat(e.getMessage()).contains("data offset 4 is not a multiple of the alignment 32");
        assertThat(e.offset()).isEqualTo(DATA_OFFSET);
    }

    @ParameterizedTest
    @ValueSource(longs = {1L << 31, 1L << 32, Long.MAX_VALUE, -1L})
    void absurdTensorCount(long count) {
        GGUFFormatException e = parseFails(withU64(TENSOR_COUNT, count));
        assertThat(e.getMessage()).contains("tensor count " + Long.toUnsignedString(count));
        assertThat(e.offset()).isEqualTo(TENSOR_COUNT);
    }

    @Test
    void oneTensorMoreThanTheFileHolds() {
        // the second "tensor info" is read from the zero padding: an empty name with 0 dimensions
        GGUFFormatException e = parseFails(withU64(TENSOR_COUNT, 2));
        assertThat(e.getMessage()).contains("has 0 dimensions");
        assertThat(e.offset()).isEqualTo(DATA_OFFSET + 8 + 8);
    }

    @ParameterizedTest
    @ValueSource(longs = {1L << 31, 1L << 32, Long.MIN_VALUE, -1L})
    void absurdMetadataCount(long count) {
        GGUFFormatException e = parseFails(withU64(KV_COUNT, count));
        assertThat(e.getMessage()).contains("metadata count " + Long.toUnsignedString(count)).contains("cannot fit");
        assertThat(e.offset()).isEqualTo(KV_COUNT);
    }

    @ParameterizedTest
    @ValueSource(longs = {1L << 24 + 1, 1L << 62, -1L})
    void absurdStringLength(long length) {
        GGUFFormatException e = parseFails(withU64(STRING_LENGTH, length));
        assertThat(e.getMessage()).contains("string (k) claims " + Long.toUnsignedString(length) + " bytes");
        assertThat(e.offset()).isEqualTo(STRING_LENGTH);
        GGUFFormatException key = parseFails(withU64(KEY_LENGTH, length));
        assertThat(key.getMessage()).contains("metadata key").contains(Long.toUnsignedString(length));
        assertThat(key.offset()).isEqualTo(KEY_LENGTH);
    }

    @Test
    void stringLongerThanWhatRemains() {
        GGUFFormatException e = parseFails(withU64(STRING_LENGTH, 100_000));
        assertThat(e.getMessage()).contains("file truncated: k needs 100000 bytes");
        assertThat(e.offset()).isEqualTo(STRING_LENGTH + 8);
    }

    @ParameterizedTest
    @ValueSource(longs = {1000, 1L << 27 + 1, 1L << 40, -1L})
    void absurdArrayLength(long length) {
        GGUFFormatException e = parseFails(withU64(ARRAY_LENGTH, length));
        assertThat(e.getMessage()).contains("a").contains(Long.toUnsignedString(length));
        assertThat(e.offset()).isEqualTo(ARRAY_LENGTH);
    }

    @ParameterizedTest
    @ValueSource(ints = {13, 100, -1})
    void unknownValueType(int type) {
        GGUFFormatException e = parseFails(withU32(VALUE_TYPE, type));
        assertThat(e.getMessage()).contains("unknown metadata value type " + Integer.toUnsignedString(type));
        assertThat(e.offset()).isEqualTo(VALUE_TYPE);
        GGUFFormatException element = parseFails(withU32(ELEMENT_TYPE, type));
        assertThat(element.getMessage()).contains("unknown metadata value type " + Integer.toUnsignedString(type))
                .contains("element type of a");
        assertThat(element.offset()).isEqualTo(ELEMENT_TYPE);
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 5, 31, 1000, -1})
    void unknownGgmlType(int type) {
        GGUFFormatException e = parseFails(withU32(GGML_TYPE, type));
        assertThat(e.getMessage()).contains("tensor t has unknown ggml type " + Integer.toUnsignedString(type));
        assertThat(e.offset()).isEqualTo(GGML_TYPE);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 5, -1})
    void badDimensionCount(int count) {
        GGUFFormatException e = parseFails(withU32(DIMENSION_COUNT, count));
        assertThat(e.getMessage()).contains("tensor t has " + Integer.toUnsignedString(count) + " dimensions");
        assertThat(e.offset()).isEqualTo(DIMENSION_COUNT);
    }

    @Test
    void zeroOrOverflowingDimensions() {
        GGUFFormatException zero = parseFails(withU64(DIMENSION_1, 0));
        assertThat(zero.getMessage()).contains("tensor t has dimension 0");
        assertThat(zero.offset()).isEqualTo(DIMENSION_1);

        GGUFFormatException overflow = parseFails(withU64(DIMENSION_1, 1L << 62));
        assertThat(overflow.getMessage()).contains("tensor t").contains("63 bits");
        assertThat(overflow.offset()).isEqualTo(DIMENSION_1);

        GGUFFormatException notBlocks = parseFails(withU64(DIMENSION_0, 33));
        assertThat(notBlocks.getMessage()).contains("row of 33 values, not a multiple of its block size 32");
        assertThat(notBlocks.offset()).isEqualTo(DIMENSION_COUNT);
    }

    @Test
    void elementsThatFitButBytesThatDoNot() {
        // (2^62 − 32) × 2 Q8_0 values fit 63 bits; their bytes (elements / 32 × 34) do not
        byte[] b = withU64(DIMENSION_0, (1L << 62) - 32);
        GGUFFormatException e = parseFails(b);
        assertThat(e.getMessage()).contains("tensor t").contains("bytes");
        assertThat(e.offset()).isEqualTo(DIMENSION_COUNT);
    }

    @Test
    void badAlignment(@TempDir Path dir) throws IOException {
        // a power of two is written; 48 is patched in where the UINT32 value lies
        Path file = GGUFWriter.create(dir.resolve("a.gguf")).alignment(64).write();
        byte[] aligned = Files.readAllBytes(file);
        int valueAt = 24 + 8 + "general.alignment".length() + 4;
        ByteBuffer.wrap(aligned).order(ByteOrder.LITTLE_ENDIAN).putInt(valueAt, 48);
        GGUFFormatException e = parseFails(aligned);
        assertThat(e.getMessage()).contains("general.alignment 48");
        assertThat(e.offset()).isEqualTo(valueAt);
    }

    @Test
    void duplicateNames() {
        byte[] b = valid.clone();
        b[ARRAY_KEY_LENGTH + 8] = 'k'; // key "a" becomes a second "k"
        GGUFFormatException e = parseFails(b);
        assertThat(e.getMessage()).contains("duplicate metadata key k");
        assertThat(e.offset()).isEqualTo(ARRAY_KEY_LENGTH);
    }

    @Test
    void badBool(@TempDir Path dir) throws IOException {
        byte[] b = Files.readAllBytes(GGUFWriter.create(dir.resolve("b.gguf"))
                .metadata("b", MetadataType.BOOL, true).write());
        int valueAt = 24 + 8 + 1 + 4;
        b[valueAt] = 2;
        GGUFFormatException e = parseFails(b);
        assertThat(e.getMessage()).contains("metadata b is a bool of value 2");
        assertThat(e.offset()).isEqualTo(valueAt);
    }
}
