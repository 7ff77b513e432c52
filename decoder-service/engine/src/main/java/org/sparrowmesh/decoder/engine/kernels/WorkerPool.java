package org.sparrowmesh.decoder.engine.kernels;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of worker threads, sized to the cores, that split a range of work (typically the
 * output rows of a matrix product) with the calling thread. Created once per engine: no thread is
 * created per call, the common ForkJoin pool is never touched, and a call allocates nothing.
 *
 * <p>Work is handed out in chunks from an atomic counter, so a core that is slowed down (by the
 * OS, another process) simply takes fewer chunks. Not reentrant: one {@link #parallelFor} at a
 * time, from one thread.
 */
public final class WorkerPool implements AutoCloseable {

    /** The body of a parallel loop: process indices [start, end). */
    @FunctionalInterface
    public interface RangeTask {
        void run(int start, int end);
    }

    /** How long an idle worker spins before it parks: covers the gaps inside a forward step. */
    private static final long SPIN_NANOS = 200_000;

    private final Thread[] workers;
    private final int parallelism;
    /** (generation << 32) | next chunk index: a worker late from a previous call cannot take a chunk of this one. */
    private final AtomicLong ticket = new AtomicLong();
    private final AtomicInteger finishedChunks = new AtomicInteger();
    private volatile RangeTask task;
    private volatile int count;
    private volatile int chunkSize;
    private volatile int chunkCount;
    private volatile long generation;
    private volatile boolean closed;
    private volatile Throwable failure;
    private final Thread[] waitingCallers = new Thread[1];

    /** A pool of {@code parallelism} threads in all: the caller plus {@code parallelism - 1} workers. */
    public WorkerPool(int parallelism) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1, got " + parallelism);
        }
        this.parallelism = parallelism;
        this.workers = new Thread[parallelism - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = Thread.ofPlatform().name("decoder-worker-" + (i + 1)).daemon().unstarted(this::workLoop);
            workers[i].start();
        }
    }

    /** One thread per available processor. */
    public static WorkerPool sizedToCores() {
        return new WorkerPool(Runtime.getRuntime().availableProcessors());
    }

    public int parallelism() {
        return parallelism;
    }

    /**
     * Runs {@code task} over [0, count) split into chunks across the pool and the calling thread;
     * returns when every chunk is done. Rethrows the first failure of any chunk.
     */
    public void parallelFor(int count, RangeTask task) {
        if (count <= 0) {
            return;
        }
        if (parallelism == 1 || count == 1) {
            task.run(0, count);
            return;
        }
        // about four chunks per thread: small enough to balance, large enough to amortise the atomics
        int size = Math.max(1, (count + parallelism * 4 - 1) / (parallelism * 4));
        this.task = task;
        this.count = count;
        this.chunkSize = size;
        this.chunkCount = (count + size - 1) / size;
        this.failure = null;
        finishedChunks.set(0);
        waitingCallers[0] = Thread.currentThread();
        long g = generation + 1;
        ticket.set(g << 32);
        generation = g; // publishes the fields above to the workers (volatile write)
        for (Thread worker : workers) {
            LockSupport.unpark(worker);
        }
        runChunks(g);
        int spins = 0;
        while (finishedChunks.get() < chunkCount) {
            // spin briefly (a worker is usually microseconds from done), then yield: when the cores
            // are oversubscribed (the service's I/O threads, a client on the same machine) a worker
            // that holds the last chunk may be waiting for this very core
            if (++spins < 256) {
                Thread.onSpinWait();
            } else if (spins < 10_000) {
                Thread.yield();
            } else {
                LockSupport.parkNanos(this, 50_000);
            }
        }
        // exhaust this generation's tickets before the next call rewrites the job fields, so a
        // worker still returning from this call cannot pair an old ticket with a new job
        ticket.set((g << 32) | Integer.MAX_VALUE);
        this.task = null;
        Throwable f = failure;
        if (f != null) {
            if (f instanceof RuntimeException re) {
                throw re;
            }
            if (f instanceof Error e) {
                throw e;
            }
            throw new IllegalStateException(f);
        }
    }

    private void runChunks(long forGeneration) {
        RangeTask current = task;
        int total = chunkCount;
        int size = chunkSize;
        int n = count;
        while (true) {
            long t = ticket.get();
            int chunk = (int) t;
            if ((t >>> 32) != forGeneration || chunk >= total) {
                return;
            }
            if (!ticket.compareAndSet(t, t + 1)) {
                continue;
            }
            int start = chunk * size;
            try {
                current.run(start, Math.min(n, start + size));
            } catch (Throwable chunkFailure) {
                if (failure == null) {
                    failure = chunkFailure;
                }
            } finally {
                finishedChunks.incrementAndGet();
            }
        }
    }

    private void workLoop() {
        long seen = 0;
        long idleSince = System.nanoTime();
        while (!closed) {
            long g = generation;
            if (g != seen && task != null) {
                seen = g;
                runChunks(g);
                Thread caller = waitingCallers[0];
                if (caller != null) {
                    LockSupport.unpark(caller);
                }
                idleSince = System.nanoTime();
            } else if (System.nanoTime() - idleSince < SPIN_NANOS) {
                // the next product of a forward step follows within microseconds (a norm, a
                // rotation in between): waking a parked thread costs tens of microseconds in a VM,
                // about 180 times per decoded token, so stay awake a little while
                Thread.onSpinWait();
            } else {
                LockSupport.park(this);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread worker : workers) {
            LockSupport.unpark(worker);
        }
    }
}
