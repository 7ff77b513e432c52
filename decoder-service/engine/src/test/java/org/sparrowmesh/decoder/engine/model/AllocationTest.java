package org.sparrowmesh.decoder.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sparrowmesh.decoder.engine.SharedTestData;
import org.sparrowmesh.decoder.engine.gguf.GGUFFile;
import org.sparrowmesh.decoder.engine.gguf.GgmlType;
import org.sparrowmesh.decoder.engine.gguf.ModelShape;
import org.sparrowmesh.decoder.engine.gguf.RandomModel;

/** A decode step in steady state allocates nothing, on the calling thread or the workers. */
class AllocationTest {

    @TempDir
    Path dir;

    @Test
    void batchedDecodeStepsAllocateNothingOnceWarm() throws Exception {
        assertStepsAllocateNothing(SharedTestData.stories260K());
    }

    /**
     * Nine samples: Q8_0 and Q4_0 weights go through the tiled kernels (Q8_0 4 × 4 for eight of the
     * samples, Q4_0 in pairs, each one row at a time for the ninth); the k-quants and halves through
     * their row kernels (Q6_K's row decoded once for eight, the others ×4, then single).
     */
    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_0", "Q4_K", "Q5_K", "Q6_K", "F16", "BF16"})
    void quantizedModelsAllocateNothingOnceWarm(GgmlType type) throws Exception {
        ModelShape shape = ModelShape.llama(256, 2, 4, 2, 512);
        Path model = new RandomModel(shape, type, 11, false).write(dir.resolve(type + ".gguf"), SharedTestData.stories260K());
        assertStepsAllocateNothing(model);
    }

    private static void assertStepsAllocateNothing(Path model) throws Exception {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (GGUFFile gguf = GGUFFile.open(model);
                ForwardPass pass = new ForwardPass(Llama.load(gguf), 16)) {
            InferenceState parent = pass.newState(2048);
            parent.cache().reserve(2048);
            pass.prefill(parent, new int[] {1, 403, 407, 261, 378});
            InferenceState[] samples = new InferenceState[9];
            for (int i = 0; i < samples.length; i++) {
                samples[i] = parent.fork();
                samples[i].cache().reserve(2048);
            }
            ForwardBatch batch = pass.newBatch();
            for (int step = 0; step < 600; step++) { // warm up: JIT, thread-local scratch
                decodeStep(pass, batch, samples, step);
            }
            // a window may still catch the JIT replacing a kernel (its interim code boxes a vector);
            // steady state means some window of 40 steps allocates nothing at all — a per-token
            // allocation shows in every window
            long[] ids = decoderThreadIds();
            java.util.List<Long> windows = new java.util.ArrayList<>();
            int step = 600;
            for (int window = 0; window < 5; window++) {
                long before = allocated(threads, ids);
                for (int end = step + 40; step < end; step++) {
                    decodeStep(pass, batch, samples, step);
                }
                windows.add(allocated(threads, ids) - before);
                if (windows.getLast() == 0) {
                    break;
                }
            }
            assertThat(windows).as("bytes allocated per window of 40 decode steps of %d samples of %s", samples.length,
                    model.getFileName())
                    .contains(0L);
        }
    }

    private static void decodeStep(ForwardPass pass, ForwardBatch batch, InferenceState[] samples, int step) {
        batch.clear();
        for (int i = 0; i < samples.length; i++) {
            batch.add(samples[i], 3 + (step * 7 + i) % 500, true);
        }
        pass.forward(batch);
    }

    /** This thread and every decoder worker (idle workers of other passes allocate nothing either). */
    private static long[] decoderThreadIds() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t == Thread.currentThread() || t.getName().startsWith("decoder-worker"))
                .mapToLong(Thread::threadId).toArray();
    }

    /** Per thread (the array-returning variant would count its own result array). */
    private static long allocated(com.sun.management.ThreadMXBean threads, long[] ids) {
        long total = 0;
        for (long id : ids) {
            total += threads.getThreadAllocatedBytes(id);
        }
        return total;
    }
}
