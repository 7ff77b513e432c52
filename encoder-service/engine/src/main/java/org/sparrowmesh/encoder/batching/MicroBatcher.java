package org.sparrowmesh.encoder.batching;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * Merges the items of concurrent requests into model calls of at most
 * {@link BatcherSettings#maxBatchSize()} items, on its own worker threads.
 *
 * <p>A request's items enter one bounded FIFO queue together (or not at all: a request that
 * does not fit is refused with {@link RejectedExecutionException}). A worker takes the oldest
 * item and waits until the batch is full or that item has waited
 * {@link BatcherSettings#maxWait()}, then runs the batch function on up to
 * {@code maxBatchSize} items — which may come from many requests, and a large request may span
 * several batches. While a batch runs, new requests queue up, so under load batches fill without
 * waiting at all. A request's future completes when its last item is done; if the batch function
 * throws, every request with an item in that batch fails with that exception, and the batcher
 * goes on. Items of a request that was cancelled or already failed are skipped.
 *
 * <p>Callers never block: {@link #submit} only takes a short lock. The futures complete on a
 * worker thread.
 *
 * @param <I> an input item (a text)
 * @param <O> its result (an embedding)
 */
public final class MicroBatcher<I, O> implements AutoCloseable {

    private final Function<List<I>, List<O>> batchFunction;
    private final BatcherSettings settings;
    private final BatchListener listener;
    private final long maxWaitNanos;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Item<I, O>> queue = new ArrayDeque<>();
    private boolean closed;

    private final List<Thread> workers = new ArrayList<>();
    private long batches;
    private long items;
    private long mergedBatches;
    private int largestRequests;

    /**
     * Starts the worker threads.
     *
     * @param batchFunction runs one batch: a result per input, in order
     */
    public MicroBatcher(Function<List<I>, List<O>> batchFunction, BatcherSettings settings, BatchListener listener) {
        this.batchFunction = Objects.requireNonNull(batchFunction, "batch function");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.maxWaitNanos = settings.maxWait().toNanos();
        for (int i = 0; i < settings.workers(); i++) {
            Thread worker = Thread.ofPlatform().daemon().name(settings.threadName() + "-" + i).unstarted(this::work);
            workers.add(worker);
        }
        workers.forEach(Thread::start);
    }

    public BatcherSettings settings() {
        return settings;
    }

    /**
     * Queues {@code inputs} as one request. An empty list completes at once with an empty list.
     *
     * @throws RejectedExecutionException when the queue cannot take all of them, or after {@link #close()}
     */
    public CompletableFuture<List<O>> submit(List<I> inputs) {
        if (inputs.isEmpty()) {
            return CompletableFuture.completedFuture(List.of());
        }
        Request<O> request = new Request<>(inputs.size());
        long now = System.nanoTime();
        lock.lock();
        try {
            if (closed) {
                throw new RejectedExecutionException("the encoder is shutting down");
            }
            if (queue.size() + inputs.size() > settings.queueCapacity()) {
                throw new RejectedExecutionException("the encoder queue is full (" + queue.size() + " of "
                        + settings.queueCapacity() + " texts waiting, this request has " + inputs.size()
                        + "); retry later");
            }
            for (int i = 0; i < inputs.size(); i++) {
                queue.addLast(new Item<>(inputs.get(i), request, i, now));
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        return request.future;
    }

    /** Counters since start. */
    public BatcherStats stats() {
        lock.lock();
        try {
            return new BatcherStats(batches, items, mergedBatches, largestRequests, queue.size());
        } finally {
            lock.unlock();
        }
    }

    private void work() {
        while (true) {
            List<Item<I, O>> batch;
            try {
                batch = nextBatch();
            } catch (InterruptedException e) {
                return;
            }
            if (batch == null) {
                return;
            }
            run(batch);
        }
    }

    /** Blocks until a batch is due; null once closed and drained. */
    private List<Item<I, O>> nextBatch() throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                if (queue.isEmpty()) {
                    if (closed) {
                        return null;
                    }
                    changed.await();
                    continue;
                }
                // the oldest item sets the deadline: no item waits longer than max-wait for company
                long deadline = queue.peekFirst().submittedNanos + maxWaitNanos;
                long left;
                while (queue.size() < settings.maxBatchSize() && !closed && !queue.isEmpty()
                        && (left = deadline - System.nanoTime()) > 0) {
                    changed.awaitNanos(left);
                }
                List<Item<I, O>> batch = new ArrayList<>(Math.min(queue.size(), settings.maxBatchSize()));
                while (batch.size() < settings.maxBatchSize() && !queue.isEmpty()) {
                    Item<I, O> item = queue.pollFirst();
                    if (!item.request.future.isDone()) {
                        batch.add(item);
                    }
                }
                if (!batch.isEmpty()) {
                    return batch;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void run(List<Item<I, O>> batch) {
        long start = System.nanoTime();
        List<I> inputs = new ArrayList<>(batch.size());
        long[] queueNanos = new long[batch.size()];
        int requests = 0;
        Request<O> previous = null;
        for (int i = 0; i < batch.size(); i++) {
            Item<I, O> item = batch.get(i);
            inputs.add(item.input);
            queueNanos[i] = start - item.submittedNanos;
            // a request's items are queued together, so its items in a batch are contiguous
            if (item.request != previous) {
                requests++;
                previous = item.request;
            }
        }
        List<O> outputs = null;
        RuntimeException failure = null;
        try {
            outputs = batchFunction.apply(inputs);
            if (outputs.size() != inputs.size()) {
                throw new IllegalStateException("the batch function returned " + outputs.size()
                        + " results for " + inputs.size() + " inputs");
            }
        } catch (RuntimeException e) {
            failure = e;
        }
        long runNanos = System.nanoTime() - start;
        lock.lock();
        try {
            batches++;
            items += batch.size();
            if (requests > 1) {
                mergedBatches++;
            }
            largestRequests = Math.max(largestRequests, requests);
        } finally {
            lock.unlock();
        }
        // counted before the callers hear back, so a caller that got its answer sees its batch in the metrics
        try {
            listener.onBatch(new BatchReport(batch.size(), requests, queueNanos, runNanos, failure != null));
        } catch (RuntimeException ignored) {
            // metrics must never stop the batcher
        }
        for (int i = 0; i < batch.size(); i++) {
            Item<I, O> item = batch.get(i);
            if (failure != null) {
                item.request.future.completeExceptionally(failure);
            } else {
                item.request.complete(item.index, outputs.get(i));
            }
        }
    }

    /**
     * Stops taking requests, lets the workers finish what is queued, and waits for them
     * (at most 30 s, then interrupts them).
     */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (Thread worker : workers) {
            try {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !worker.join(Duration.ofNanos(left))) {
                    worker.interrupt();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private record Item<I, O>(I input, Request<O> request, int index, long submittedNanos) {
    }

    /** The results of one submission, filled in by whichever workers run its items. */
    private static final class Request<O> {
        final CompletableFuture<List<O>> future = new CompletableFuture<>();
        final Object[] results;
        final AtomicInteger remaining;

        Request(int size) {
            this.results = new Object[size];
            this.remaining = new AtomicInteger(size);
        }

        @SuppressWarnings("unchecked")
        void complete(int index, O result) {
            results[index] = result;
            // the last decrement happens after every other item's write, so it sees them all
            if (remaining.decrementAndGet() == 0) {
                future.complete((List<O>) Collections.unmodifiableList(Arrays.asList(results)));
            }
        }
    }
}
