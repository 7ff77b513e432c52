package org.sparrowmesh.decoder.engine.gguf;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.stream.IntStream;

import org.sparrowmesh.decoder.engine.tensor.Quantizer;

/**
 * Writes a GGUF file (v3 by default): metadata of every value type including nested arrays,
 * tensor infos, and tensor data, each tensor aligned to {@code general.alignment} (32 when
 * absent) as ggml lays it out. Float tensors are quantized with {@link Quantizer}, i.e. as
 * ggml's reference quantizers would; raw bytes can be given for any type.
 *
 * <pre>{@code
 * GGUFWriter.create(path)
 *         .copyMetadataFrom(source, key -> key.startsWith("tokenizer."))
 *         .metadata("general.architecture", "llama")
 *         .metadata("llama.block_count", MetadataType.UINT32, 2L)
 *         .tensor("token_embd.weight", GgmlType.Q8_0, new long[] {64, 512}, values)
 *         .write();
 * }</pre>
 *
 * <p>Values are checked when they are added, with messages naming the key or tensor; nothing
 * touches the disk before {@link #write()}. Tensor data given as a {@link Values} source is
 * generated and quantized chunk by chunk while writing, so a multi-GB model never sits on the
 * heap; quantizing is where the time goes (K types most).
 */
public final class GGUFWriter {

    /** Produces tensor values on demand, in order: the writer asks for consecutive chunks. */
    @FunctionalInterface
    public interface Values {
        /** Fills {@code chunk[0 … length)} with elements {@code offset … offset + length)} of the tensor. */
        void fill(long offset, float[] chunk, int length);
    }

    private static final int MAGIC = 0x46554747; // "GGUF" little-endian
    private static final int MAX_NAME_BYTES = 63; // GGML_MAX_NAME minus the terminating NUL
    private static final int MAX_DIMENSIONS = 4;
    private static final int CHUNK = 1 << 18; // values generated per step: a multiple of every block size
    private static final int SLICE = 1 << 14; // values quantized per task, also a multiple of every block size

    private record Entry(MetadataType type, Object value) {
    }

    private record Tensor(String name, GgmlType type, long[] dimensions, long byteSize, Values values,
            MemorySegment bytes) {
    }

    private final Path path;
    private int version = 3;
    private final LinkedHashMap<String, Entry> metadata = new LinkedHashMap<>();
    private final List<Tensor> tensors = new ArrayList<>();

    private GGUFWriter(Path path) {
        this.path = Objects.requireNonNull(path, "path");
    }

    /** A writer of {@code path}; the file is written (replaced) by {@link #write()}. */
    public static GGUFWriter create(Path path) {
        return new GGUFWriter(path);
    }

    /** The format version to write: 3 (default) or 2, whose layout is the same for little-endian files. */
    public GGUFWriter version(int version) {
        if (version != 2 && version != 3) {
            throw new IllegalArgumentException("GGUF version " + version + " cannot be written (2 or 3)");
        }
        this.version = version;
        return this;
    }

    /** Sets {@code general.alignment} (UINT32): a power of two up to 1 MiB; the data section and each tensor start on it. */
    public GGUFWriter alignment(int alignment) {
        return metadata("general.alignment", MetadataType.UINT32, (long) alignment);
    }

    /** A STRING value. */
    public GGUFWriter metadata(String key, String value) {
        return metadata(key, MetadataType.STRING, value);
    }

    /**
     * Adds (or replaces, keeping its place) a key. The value's Java type is the one the reader
     * gives back (see {@link MetadataType}): an integer type takes any {@link Integer} or
     * {@link Long} within its range, FLOAT32 a {@link Float}, FLOAT64 a {@link Double}, ARRAY a
     * {@link GGUFArray} whose values array has the reader's type for its element type.
     *
     * @throws IllegalArgumentException naming the key when the value does not fit the type
     */
    public GGUFWriter metadata(String key, MetadataType type, Object value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(type, "type of " + key);
        checkValue(key, type, value, 0);
        if (key.equals("general.alignment")) {
            long alignment = integer(key, value);
            if (alignment <= 0 || alignment > (1 << 20) || Long.bitCount(alignment) != 1) {
                throw new IllegalArgumentException("general.alignment " + alignment
                        + " is not a power of two up to 1 MiB (what the reader accepts)");
            }
        }
        metadata.put(key, new Entry(type, value));
        return this;
    }

    /** Copies the keys {@code keys} accepts, with their types, in the source's order. */
    public GGUFWriter copyMetadataFrom(GGUFMetadata source, Predicate<String> keys) {
        for (String key : source.keys()) {
            if (keys.test(key)) {
                metadata(key, source.type(key), source.get(key));
            }
        }
        return this;
    }

    /** Copies the keys {@code keys} accepts from another file, e.g. its tokenizer. */
    public GGUFWriter copyMetadataFrom(GGUFFile source, Predicate<String> keys) {
        return copyMetadataFrom(source.metadata(), keys);
    }

    /** Drops a key if present. */
    public GGUFWriter removeMetadata(String key) {
        metadata.remove(key);
        return this;
    }

    /**
     * Adds a tensor from floats, quantized to {@code type}.
     *
     * @param dimensions ggml order, row length first: a matrix of r rows × c columns is {@code {c, r}}
     */
    public GGUFWriter tensor(String name, GgmlType type, long[] dimensions, float[] values) {
        long elements = checkTensor(name, type, dimensions);
        if (values.length != elements) {
            throw new IllegalArgumentException("tensor " + name + " has " + elements + " elements but "
                    + values.length + " values were given");
        }
        return tensor(name, type, dimensions, (offset, chunk, length) ->
                System.arraycopy(values, (int) offset, chunk, 0, length));
    }

    /** Adds a tensor whose values are generated (and quantized to {@code type}) while the file is written. */
    public GGUFWriter tensor(String name, GgmlType type, long[] dimensions, Values values) {
        long elements = checkTensor(name, type, dimensions);
        if (!type.supported()) {
            throw new UnsupportedOperationException("tensor " + name + ": cannot quantize to " + type
                    + "; give its bytes with tensorBytes");
        }
        tensors.add(new Tensor(name, type, dimensions.clone(), type.byteSize(elements), Objects.requireNonNull(values),
                null));
        return this;
    }

    /** Adds a tensor of already encoded bytes, of any ggml type (also ones the engine cannot compute with). */
    public GGUFWriter tensorBytes(String name, GgmlType type, long[] dimensions, byte[] data) {
        return tensorBytes(name, type, dimensions, MemorySegment.ofArray(data));
    }

    /** Adds a tensor of encoded bytes, e.g. another file's {@link TensorInfo#data()} to copy it as is. */
    public GGUFWriter tensorBytes(String name, GgmlType type, long[] dimensions, MemorySegment data) {
        long elements = checkTensor(name, type, dimensions);
        long bytes = type.byteSize(elements);
        if (data.byteSize() != bytes) {
            throw new IllegalArgumentException("tensor " + name + " of type " + type + " and " + elements
                    + " elements takes " + bytes + " bytes, not " + data.byteSize());
        }
        tensors.add(new Tensor(name, type, dimensions.clone(), bytes, null, data));
        return this;
    }

    /**
     * Writes the file, replacing any file at the path; a partly written file is deleted on failure.
     *
     * @return the path written
     */
    public Path write() throws IOException {
        long alignment = metadata.containsKey("general.alignment")
                ? integer("general.alignment", metadata.get("general.alignment").value())
                : GGUFFile.DEFAULT_ALIGNMENT;
        boolean done = false;
        try (Output out = new Output(new BufferedOutputStream(Files.newOutputStream(path), 1 << 16))) {
            out.u32(MAGIC);
            out.u32(version);
            out.u64(tensors.size());
            out.u64(metadata.size());
            for (Map.Entry<String, Entry> e : metadata.entrySet()) {
                out.string(e.getKey());
                out.u32(e.getValue().type().id());
                writeValue(out, e.getValue().type(), e.getValue().value());
            }
            long offset = 0;
            for (Tensor t : tensors) {
                out.string(t.name());
                out.u32(t.dimensions().length);
                for (long d : t.dimensions()) {
                    out.u64(d);
                }
                out.u32(t.type().id());
                out.u64(offset);
                offset += padding(t.byteSize(), alignment) + t.byteSize();
            }
            out.pad(alignment);
            for (Tensor t : tensors) {
                writeData(out, t);
                out.pad(alignment);
            }
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(path);
            }
        }
        return path;
    }

    private static void writeData(Output out, Tensor t) throws IOException {
        if (t.bytes() != null) {
            byte[] buffer = new byte[CHUNK];
            for (long at = 0; at < t.byteSize(); at += buffer.length) {
                int n = (int) Math.min(buffer.length, t.byteSize() - at);
                MemorySegment.copy(t.bytes(), ValueLayout.JAVA_BYTE, at, buffer, 0, n);
                out.bytes(buffer, n);
            }
            return;
        }
        long elements = product(t.dimensions());
        float[] chunk = new float[(int) Math.min(CHUNK, elements)];
        for (long at = 0; at < elements; at += chunk.length) {
            int n = (int) Math.min(chunk.length, elements - at);
            t.values().fill(at, chunk, n); // sequential: a seeded source gives the same values every time
            for (byte[] encoded : quantize(t.type(), chunk, n)) {
                out.bytes(encoded, encoded.length);
            }
        }
    }

    /**
     * Quantizes {@code chunk[0, n)} in slices on the common pool. Blocks are independent, so the
     * bytes are those of one pass; K types cost ~80 ns a value on one core, so a 1B-weight model
     * is written in half the time on two.
     */
    private static byte[][] quantize(GgmlType type, float[] chunk, int n) {
        int slices = (n + SLICE - 1) / SLICE;
        return IntStream.range(0, slices).parallel()
                .mapToObj(s -> Quantizer.quantize(type, chunk, s * SLICE, Math.min(SLICE, n - s * SLICE)))
                .toArray(byte[][]::new);
    }

    private long checkTensor(String name, GgmlType type, long[] dimensions) {
        Objects.requireNonNull(name, "tensor name");
        Objects.requireNonNull(type, "type of tensor " + name);
        int nameBytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (nameBytes == 0 || nameBytes > MAX_NAME_BYTES) {
            throw new IllegalArgumentException("tensor name \"" + name + "\" has " + nameBytes
                    + " bytes (1 to " + MAX_NAME_BYTES + " allowed by ggml)");
        }
        for (Tensor t : tensors) {
            if (t.name().equals(name)) {
                throw new IllegalArgumentException("tensor " + name + " is already added");
            }
        }
        if (dimensions.length < 1 || dimensions.length > MAX_DIMENSIONS) {
            throw new IllegalArgumentException("tensor " + name + " has " + dimensions.length + " dimensions (1 to "
                    + MAX_DIMENSIONS + " allowed)");
        }
        long elements = 1;
        for (long d : dimensions) {
            if (d < 1) {
                throw new IllegalArgumentException("tensor " + name + " has dimension " + d);
            }
            elements = Math.multiplyExact(elements, d);
        }
        if (dimensions[0] % type.blockSize() != 0) {
            throw new IllegalArgumentException("tensor " + name + " of type " + type + " has rows of " + dimensions[0]
                    + " values, not a multiple of its block size " + type.blockSize());
        }
        return elements;
    }

    // ---- metadata values: checked when added, written as the reader reads them

    private static void checkValue(String key, MetadataType type, Object value, int depth) {
        if (value == null) {
            throw new IllegalArgumentException("metadata " + key + " has no value");
        }
        switch (type) {
            case UINT8 -> range(key, type, integer(key, value), 0, 0xFF);
            case INT8 -> range(key, type, integer(key, value), Byte.MIN_VALUE, Byte.MAX_VALUE);
            case UINT16 -> range(key, type, integer(key, value), 0, 0xFFFF);
            case INT16 -> range(key, type, integer(key, value), Short.MIN_VALUE, Short.MAX_VALUE);
            case UINT32 -> range(key, type, integer(key, value), 0, 0xFFFF_FFFFL);
            case INT32 -> range(key, type, integer(key, value), Integer.MIN_VALUE, Integer.MAX_VALUE);
            case UINT64, INT64 -> integer(key, value);
            case FLOAT32 -> require(key, type, value, Float.class);
            case FLOAT64 -> require(key, type, value, Double.class);
            case BOOL -> require(key, type, value, Boolean.class);
            case STRING -> require(key, type, value, String.class);
            case ARRAY -> checkArray(key, require(key, type, value, GGUFArray.class), depth);
        }
    }

    private static void checkArray(String key, GGUFArray array, int depth) {
        if (depth >= 8) {
            throw new IllegalArgumentException("metadata " + key + " nests arrays deeper than the reader's 8 levels");
        }
        MetadataType element = array.elementType();
        Object values = array.values();
        Class<?> expected = switch (element) {
            case UINT8, INT8, UINT16, INT16, INT32 -> int[].class;
            case UINT32, UINT64, INT64 -> long[].class;
            case FLOAT32 -> float[].class;
            case FLOAT64 -> double[].class;
            case BOOL -> boolean[].class;
            case STRING -> String[].class;
            case ARRAY -> GGUFArray[].class;
        };
        if (!expected.isInstance(values)) {
            throw new IllegalArgumentException("metadata " + key + ": an array of " + element + " holds "
                    + expected.getSimpleName() + ", not " + values.getClass().getSimpleName());
        }
        switch (values) {
            case int[] ints -> {
                for (int v : ints) {
                    checkValue(key, element, v, depth + 1);
                }
            }
            case long[] longs -> {
                for (long v : longs) {
                    checkValue(key, element, v, depth + 1);
                }
            }
            case Object[] objects -> {
                for (Object v : objects) {
                    checkValue(key, element, v, depth + 1);
                }
            }
            default -> {
                // float[], double[], boolean[]: every element fits
            }
        }
    }

    private static long integer(String key, Object value) {
        if (value instanceof Integer i) {
            return i;
        }
        if (value instanceof Long l) {
            return l;
        }
        throw new IllegalArgumentException("metadata " + key + " needs an Integer or Long, not "
                + value.getClass().getSimpleName() + " " + value);
    }

    private static void range(String key, MetadataType type, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException("metadata " + key + " = " + value + " does not fit " + type
                    + " [" + min + ", " + max + "]");
        }
    }

    private static <T> T require(String key, MetadataType type, Object value, Class<T> javaType) {
        if (!javaType.isInstance(value)) {
            throw new IllegalArgumentException("metadata " + key + " of type " + type + " needs a "
                    + javaType.getSimpleName() + ", not " + value.getClass().getSimpleName() + " " + value);
        }
        return javaType.cast(value);
    }

    private static void writeValue(Output out, MetadataType type, Object value) throws IOException {
        switch (type) {
            case UINT8, INT8, BOOL -> out.u8(value instanceof Boolean b ? (b ? 1 : 0) : (int) integer("", value));
            case UINT16, INT16 -> out.u16((int) integer("", value));
            case UINT32, INT32 -> out.u32((int) integer("", value));
            case UINT64, INT64 -> out.u64(integer("", value));
            case FLOAT32 -> out.u32(Float.floatToRawIntBits((Float) value));
            case FLOAT64 -> out.u64(Double.doubleToRawLongBits((Double) value));
            case STRING -> out.string((String) value);
            case ARRAY -> {
                GGUFArray array = (GGUFArray) value;
                out.u32(array.elementType().id());
                out.u64(array.length());
                MetadataType element = array.elementType();
                switch (array.values()) {
                    case int[] ints -> {
                        for (int v : ints) {
                            writeValue(out, element, v);
                        }
                    }
                    case long[] longs -> {
                        for (long v : longs) {
                            writeValue(out, element, v);
                        }
                    }
                    case float[] floats -> {
                        for (float v : floats) {
                            out.u32(Float.floatToRawIntBits(v));
                        }
                    }
                    case double[] doubles -> {
                        for (double v : doubles) {
                            out.u64(Double.doubleToRawLongBits(v));
                        }
                    }
                    case boolean[] booleans -> {
                        for (boolean v : booleans) {
                            out.u8(v ? 1 : 0);
                        }
                    }
                    case GGUFArray[] arrays -> {
                        // each nested array carries its own element type and length
                        for (GGUFArray v : arrays) {
                            writeValue(out, MetadataType.ARRAY, v);
                        }
                    }
                    case Object[] objects -> {
                        for (Object v : objects) {
                            writeValue(out, element, v);
                        }
                    }
                    default -> throw new AssertionError(array.values().getClass());
                }
            }
        }
    }

    private static long padding(long position, long alignment) {
        return (alignment - position % alignment) % alignment;
    }

    private static long product(long[] dimensions) {
        long p = 1;
        for (long d : dimensions) {
            p *= d;
        }
        return p;
    }

    /** Little-endian primitives onto a stream, counting the bytes for the alignment padding. */
    private static final class Output implements AutoCloseable {
        private final OutputStream out;
        private final byte[] scratch = new byte[8];
        private long position;

        Output(OutputStream out) {
            this.out = out;
        }

        void u8(int v) throws IOException {
            out.write(v);
            position++;
        }

        void u16(int v) throws IOException {
            scratch[0] = (byte) v;
            scratch[1] = (byte) (v >>> 8);
            bytes(scratch, 2);
        }

        void u32(int v) throws IOException {
            for (int i = 0; i < 4; i++) {
                scratch[i] = (byte) (v >>> 8 * i);
            }
            bytes(scratch, 4);
        }

        void u64(long v) throws IOException {
            for (int i = 0; i < 8; i++) {
                scratch[i] = (byte) (v >>> 8 * i);
            }
            bytes(scratch, 8);
        }

        void string(String s) throws IOException {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            u64(utf8.length);
            bytes(utf8, utf8.length);
        }

        void bytes(byte[] b, int length) throws IOException {
            out.write(b, 0, length);
            position += length;
        }

        void pad(long alignment) throws IOException {
            for (long n = padding(position, alignment); n > 0; n--) {
                u8(0);
            }
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
