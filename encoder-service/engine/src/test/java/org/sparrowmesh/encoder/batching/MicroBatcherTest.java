package org.sparrowmesh.encoder.batching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The micro-batcher with a fake model. Concurrency is pinned with latches: the first batch holds
 * the worker inside the model until the test has queued what it wants, so every batch's content
 * is known — no sleeps.
 */
class MicroBatcherTest {

    private static final Duration NO_WAIT = Duration.ZERO;

    /** Batches the fake model saw, in order. */
    private final List<List<String>> calls = new CopyOnWriteArrayList<>();
    private final List<String> threads = new CopyOnWriteArrayList<>();
    private final List<BatchReport> reports = new CopyOnWriteArrayList<>();
    private final CountDownLatch inFirstBatch = new CountDownLatch(1);
    private final CountDownLatch releaseFirstBatch = new CountDownLatch(1);
    private MicroBatcher<String, String> batcher;

    /** Upper-cases texts; the first call waits for {@link #releaseFirstBatch}; "boom" fails its batch. */
    private final Function<List<String>, List<String>> model = texts -> {
        calls.add(List.copyOf(texts));
        threads.add(Thread.currentThread().getName());
        if (calls.size() == 1) {
            inFirstBatch.countDown();
            await(releaseFirstBatch);
        }
        if (texts.contains("boom")) {
            throw new IllegalStateException("model failed");
        }
        return texts.stream().map(String::toUpperCase).toList();
    };

    private MicroBatcher<String, String> start(int maxBatch, Duration maxWait, int capacity) {
        batcher = new MicroBatcher<>(model, new BatcherSettings(maxBatch, maxWait, capacity, 1, "test-batcher"), reports::add);
        return batcher;
    }

    @AfterEach
    void stop() {
        releaseFirstBatch.countDown();
        if (batcher != null) {
            batcher.close();
        }
    }

    @Test
    void concurrentRequestsShareOneModelCall() throws Exception {
        start(32, NO_WAIT, 100);
        CompletableFuture<List<String>> first = batcher.submit(List.of("first"));
        inFirstBatch.await();
        // the worker is busy: 15 single-text requests from "15 clients" queue up meanwhile
        List<CompletableFuture<List<String>>> waiting = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            waiting.add(batcher.submit(List.of("t" + i)));
        }
        releaseFirstBatch.countDown();

        assertThat(first.get(5, TimeUnit.SECONDS)).containsExactly("FIRST");
        for (int i = 0; i < 15; i++) {
            assertThat(waiting.get(i).get(5, TimeUnit.SECONDS)).containsExactly("T" + i);
        }
        assertThat(calls).hasSize(2);
        assertThat(calls.get(1)).hasSize(15);
        BatcherStats stats = batcher.stats();
        assertThat(stats.batches()).isEqualTo(2);
        assertThat(stats.mergedBatches()).isEqualTo(1);
        assertThat(stats.largestRequests()).isEqualTo(15);
        assertThat(stats.items()).isEqualTo(16);
        assertThat(reports).extracting(BatchReport::requests).containsExactly(1, 15);
        assertThat(reports.get(1).queueNanos()).hasSize(15);
    }

    @Test
    void aLargeRequestSpansSeveralBatchesOfAtMostTheMaximumAndKeepsItsOrder() throws Exception {
        start(4, NO_WAIT, 100);
        batcher.submit(List.of("hold"));
        inFirstBatch.await();
        List<String> ten = List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j");
        CompletableFuture<List<String>> result = batcher.submit(ten);
        CompletableFuture<List<String>> other = batcher.submit(List.of("k", "l"));
        releaseFirstBatch.countDown();

        assertThat(result.get(5, TimeUnit.SECONDS)).containsExactly("A", "B", "C", "D", "E", "F", "G", "H", "I", "J");
        assertThat(other.get(5, TimeUnit.SECONDS)).containsExactly("K", "L");
        assertThat(calls.subList(1, calls.size())).extracting(List::size).containsExactly(4, 4, 4);
        // the last batch mixes the tail of the large request with the next request
        assertThat(calls.get(3)).containsExactly("i", "j", "k", "l");
    }

    @Test
    void aFullQueueRefusesTheWholeRequest() throws Exception {
        start(8, NO_WAIT, 4);
        batcher.submit(List.of("hold"));
        inFirstBatch.await();
        CompletableFuture<List<String>> fits = batcher.submit(List.of("1", "2", "3"));
        assertThatThrownBy(() -> batcher.submit(List.of("4", "5")))
                .isInstanceOf(RejectedExecutionException.class)
                .hasMessageContaining("queue is full").hasMessageContaining("3 of 4");
        CompletableFuture<List<String>> lastSeat = batcher.submit(List.of("4"));
        releaseFirstBatch.countDown();
        assertThat(fits.get(5, TimeUnit.SECONDS)).containsExactly("1", "2", "3");
        assertThat(lastSeat.get(5, TimeUnit.SECONDS)).containsExactly("4");
    }

    @Test
    void aFailingBatchFailsItsRequestsAndTheBatcherGoesOn() throws Exception {
        start(8, NO_WAIT, 100);
        batcher.submit(List.of("hold"));
        inFirstBatch.await();
        CompletableFuture<List<String>> bad = batcher.submit(List.of("boom"));
        CompletableFuture<List<String>> neighbour = batcher.submit(List.of("innocent"));
        releaseFirstBatch.countDown();

        assertThatThrownBy(() -> bad.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> neighbour.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalStateException.class);
        assertThat(batcher.submit(List.of("later")).get(5, TimeUnit.SECONDS)).containsExactly("LATER");
        assertThat(reports).extracting(BatchReport::failed).containsExactly(false, true, false);
    }

    @Test
    void cancelledRequestsAreNeverRun() throws Exception {
        start(8, NO_WAIT, 100);
        batcher.submit(List.of("hold"));
        inFirstBatch.await();
        CompletableFuture<List<String>> cancelled = batcher.submit(List.of("gone", "gone too"));
        CompletableFuture<List<String>> kept = batcher.submit(List.of("kept"));
        cancelled.cancel(false);
        releaseFirstBatch.countDown();

        assertThat(kept.get(5, TimeUnit.SECONDS)).containsExactly("KEPT");
        assertThat(calls).extracting(c -> c.contains("gone")).containsOnly(false);
    }

    @Test
    void batchesRunOnTheBatchersOwnThreadNeverTheCallers() throws Exception {
        start(8, NO_WAIT, 100);
        releaseFirstBatch.countDown();
        batcher.submit(List.of("x")).get(5, TimeUnit.SECONDS);
        assertThat(threads).hasSize(1).allSatisfy(name -> assertThat(name).startsWith("test-batcher-"));
        assertThat(threads.getFirst()).isNotEqualTo(Thread.currentThread().getName());
    }

    @Test
    void aLoneRequestWaitsAtMostMaxWaitForCompany() throws Exception {
        start(32, Duration.ofMillis(20), 100);
        releaseFirstBatch.countDown();
        assertThat(batcher.submit(List.of("alone")).get(5, TimeUnit.SECONDS)).containsExactly("ALONE");
        assertThat(reports.getFirst().queueNanos()[0]).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(20));
    }

    @Test
    void aFullBatchRunsAtOnceWithoutWaitingForMaxWait() throws Exception {
        // a max wait far beyond the test's timeout: only a full batch can finish in time
        start(4, Duration.ofMinutes(10), 100);
        releaseFirstBatch.countDown();
        assertThat(batcher.submit(List.of("a", "b", "c", "d")).get(5, TimeUnit.SECONDS)).containsExactly("A", "B", "C", "D");
    }

    @Test
    void anEmptyRequestCompletesAtOnceWithoutAModelCall() throws Exception {
        start(8, NO_WAIT, 100);
        assertThat(batcher.submit(List.of()).get()).isEmpty();
        assertThat(calls).isEmpty();
    }

    @Test
    void closeFinishesWhatIsQueuedThenRefuses() throws Exception {
        start(2, NO_WAIT, 100);
        batcher.submit(List.of("hold"));
        inFirstBatch.await();
        List<CompletableFuture<List<String>>> queued = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            queued.add(batcher.submit(List.of("q" + i)));
        }
        CompletableFuture<Void> closing = CompletableFuture.runAsync(batcher::close);
        releaseFirstBatch.countDown();
        closing.get(30, TimeUnit.SECONDS);
        for (CompletableFuture<List<String>> f : queued) {
            assertThat(f).isCompleted();
        }
        assertThatThrownBy(() -> batcher.submit(List.of("late"))).isInstanceOf(RejectedExecutionException.class);
    }

    @Test
    void settingsAreCheckedWithTheirNames() {
        assertThatThrownBy(() -> new BatcherSettings(0, NO_WAIT, 1, 1, "x")).hasMessageContaining("max-batch-size");
        assertThatThrownBy(() -> new BatcherSettings(1, Duration.ofMillis(-1), 1, 1, "x")).hasMessageContaining("max-wait");
        assertThatThrownBy(() -> new BatcherSettings(1, NO_WAIT, 0, 1, "x")).hasMessageContaining("queue-capacity");
        assertThatThrownBy(() -> new BatcherSettings(1, NO_WAIT, 1, 0, "x")).hasMessageContaining("workers");
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("test latch never released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

}
