package org.sparrowmesh.bench.decoder;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.sparrowmesh.decoder.engine.kernels.WorkerPool;

/**
 * The machine's memory read bandwidth as the decoder sees it: the same worker threads stream a
 * buffer far larger than the caches, summing it with vector loads (a read-only pass, like reading
 * weights). Bytes per second of the fastest of several passes.
 */
final class MemoryBandwidth {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private MemoryBandwidth() {
    }

    /** Measures with {@code pool}'s threads over a buffer of {@code bytes} bytes. */
    static double readBytesPerSecond(WorkerPool pool, long bytes, int passes) {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment buffer = arena.allocate(bytes, 64);
            // touch every page so the passes read memory, not page faults
            for (long i = 0; i < bytes; i += 4096) {
                buffer.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) 1);
            }
            int chunks = pool.parallelism() * 64;
            long chunkBytes = bytes / chunks / (F.vectorByteSize() * 4L) * (F.vectorByteSize() * 4L);
            double[] sink = new double[chunks];
            double best = 0;
            for (int pass = 0; pass < passes; pass++) {
                long start = System.nanoTime();
                pool.parallelFor(chunks, (from, to) -> {
                    for (int c = from; c < to; c++) {
                        sink[c] = sum(buffer, c * chunkBytes, chunkBytes);
                    }
                });
                long elapsed = System.nanoTime() - start;
                best = Math.max(best, chunks * chunkBytes / (elapsed / 1e9));
            }
            double total = 0;
            for (double s : sink) {
                total += s;
            }
            if (total == 42) {
                System.err.print(""); // keeps the sums alive
            }
            return best;
        }
    }

    private static double sum(MemorySegment buffer, long offset, long length) {
        int step = F.vectorByteSize();
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        for (long i = offset; i < offset + length; i += 4L * step) {
            a0 = a0.add(FloatVector.fromMemorySegment(F, buffer, i, ByteOrder.LITTLE_ENDIAN));
            a1 = a1.add(FloatVector.fromMemorySegment(F, buffer, i + step, ByteOrder.LITTLE_ENDIAN));
            a2 = a2.add(FloatVector.fromMemorySegment(F, buffer, i + 2L * step, ByteOrder.LITTLE_ENDIAN));
            a3 = a3.add(FloatVector.fromMemorySegment(F, buffer, i + 3L * step, ByteOrder.LITTLE_ENDIAN));
        }
        return a0.add(a1).add(a2).add(a3).reduceLanes(VectorOperators.ADD);
    }
}
