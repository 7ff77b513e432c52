package org.sparrowmesh.decoder.engine.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An open GGUF file (v2 or v3): its metadata, its tensor infos, and the memory-mapped bytes the
 * tensors are views of. Opening maps the file and parses only the header, so a multi-GB model
 * opens in milliseconds and no weight is ever copied onto the heap. Close it to unmap.
 *
 * <pre>{@code
 * try (GGUFFile gguf = GGUFFile.open(path)) {
 *     int layers = gguf.metadata().getInt("llama.block_count");
 *     TensorInfo wq = gguf.tensor("blk.0.attn_q.weight");
 * }
 * }</pre>
 */
public final class GGUFFile implements AutoCloseable {

    /** Alignment of the data section when {@code general.alignment} is absent. */
    public static final int DEFAULT_ALIGNMENT = 32;

    private final Path path;
    private final Arena arena;
    private final int version;
    private final int alignment;
    private final long dataOffset;
    private final GGUFMetadata metadata;
    private final Map<String, TensorInfo> tensors;

    GGUFFile(Path path, Arena arena, int version, int alignment, long dataOffset, GGUFMetadata metadata,
            LinkedHashMap<String, TensorInfo> tensors) {
        this.path = path;
        this.arena = arena;
        this.version = version;
        this.alignment = alignment;
        this.dataOffset = dataOffset;
        this.metadata = metadata;
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    /**
     * Maps and parses {@code path}.
     *
     * @throws GGUFFormatException when the file is not a valid GGUF v2/v3 file (the message names
     *                             the problem and the offset)
     * @throws IOException         when it cannot be read
     */
    public static GGUFFile open(Path path) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment file = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            return GGUFParser.parse(path, file, arena);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    /** 2 or 3. */
    public int version() {
        return version;
    }

    /** Alignment of the tensor data, in bytes. */
    public int alignment() {
        return alignment;
    }

    /** Where the data section starts in the file. */
    public long dataOffset() {
        return dataOffset;
    }

    public GGUFMetadata metadata() {
        return metadata;
    }

    /** Every tensor, in file order. */
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    /** The tensor of this name; throws naming it when the file has none. */
    public TensorInfo tensor(String name) {
        TensorInfo tensor = tensors.get(name);
        if (tensor == null) {
            throw new IllegalArgumentException(path.getFileName() + " has no tensor " + name);
        }
        return tensor;
    }

    /**
     * Refuses a file holding a tensor of a type the engine cannot compute with, naming the
     * tensor and the type.
     */
    public void requireSupportedTypes() {
        for (TensorInfo t : tensors.values()) {
            if (!t.type().supported()) {
                throw new UnsupportedOperationException("tensor " + t.name() + " has type " + t.type()
                        + ", which this engine does not support (supported: F32, F16, BF16, Q8_0, Q4_0,"
                        + " Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K)");
            }
        }
    }

    /**
     * Native memory that lives as long as this file and is freed with it: for weights rearranged
     * at load into the layout a kernel reads fastest (64-byte aligned, zeroed).
     */
    public MemorySegment allocate(long byteSize) {
        return arena.allocate(byteSize, 64);
    }

    /** Unmaps the file and frees what {@link #allocate} gave: every tensor view becomes unusable. */
    @Override
    public void close() {
        arena.close();
    }
}
