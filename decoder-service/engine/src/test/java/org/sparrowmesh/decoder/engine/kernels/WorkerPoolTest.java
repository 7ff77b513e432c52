package org.sparrowmesh.decoder.engine.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicIntegerArray;

import org.junit.jupiter.api.Test;

class WorkerPoolTest {

    @Test
    void everyIndexRunsExactlyOnceCallAfterCall() {
        try (WorkerPool pool = new WorkerPool(3)) {
            for (int round = 0; round < 2_000; round++) {
                int count = 1 + round % 97;
                AtomicIntegerArray hits = new AtomicIntegerArray(count);
                pool.parallelFor(count, (start, end) -> {
                    for (int i = start; i < end; i++) {
                        hits.incrementAndGet(i);
                    }
                });
                for (int i = 0; i < count; i++) {
                    assertThat(hits.get(i)).as("round %d index %d of %d", round, i, count).isEqualTo(1);
                }
            }
        }
    }

    @Test
    void aFailingChunkIsRethrownToTheCaller() {
        try (WorkerPool pool = new WorkerPool(2)) {
            assertThatThrownBy(() -> pool.parallelFor(100, (start, end) -> {
                if (start <= 50 && 50 < end) {
                    throw new IllegalStateException("chunk with 50 failed");
                }
            })).isInstanceOf(IllegalStateException.class).hasMessage("chunk with 50 failed");
            // and the pool still works afterwards
            AtomicIntegerArray hits = new AtomicIntegerArray(10);
            pool.parallelFor(10, (start, end) -> {
                for (int i = start; i < end; i++) {
                    hits.incrementAndGet(i);
                }
            });
            for (int i = 0; i < 10; i++) {
                assertThat(hits.get(i)).isEqualTo(1);
            }
        }
    }
}
