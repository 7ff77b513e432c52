package org.sparrowmesh.decoder.engine.gguf;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * One tensor of a GGUF file.
 *
 * @param name       e.g. {@code blk.0.attn_q.weight}
 * @param dimensions ggml order: {@code dimensions[0]} (ne0) is the fastest-varying, i.e. the row
 *                   length of a matrix; a matrix of {@code rows} × {@code columns} is {@code [columns, rows]}
 * @param type       the data type
 * @param offset     where the data starts, relative to the start of the file's data section
 * @param data       the bytes of the tensor: a slice of the memory-mapped file, never copied
 */
public record TensorInfo(String name, long[] dimensions, GgmlType type, long offset, MemorySegment data) {

    /** Number of elements (product of the dimensions). */
    public long elementCount() {
        long count = 1;
        for (long d : dimensions) {
            count = Math.multiplyExact(count, d);
        }
        return count;
    }

    /** Bytes of the data. */
    public long byteSize() {
        return type.byteSize(elementCount());
    }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(dimensions);
    }
}
