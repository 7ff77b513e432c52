package org.sparrowmesh.decoder.engine.scheduler;

import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.sparrowmesh.decoder.engine.generation.FinishReason;
import org.sparrowmesh.decoder.engine.model.BatchedForward;
import org.sparrowmesh.decoder.engine.model.ForwardBatch;
import org.sparrowmesh.decoder.engine.model.InferenceState;
import org.sparrowmesh.decoder.engine.model.KeyValueCache;
import org.sparrowmesh.decoder.engine.model.KeyValuePrecision;
import org.sparrowmesh.decoder.engine.model.LlamaConfiguration;
import org.sparrowmesh.decoder.engine.sampling.SampledToken;
import org.sparrowmesh.decoder.engine.sampling.Sampler;
import org.sparrowmesh.decoder.engine.sampling.StopStringMatcher;
import org.sparrowmesh.decoder.engine.sampling.TokenHistory;
import org.sparrowmesh.decoder.engine.tokenizer.StreamingDetokenizer;
import org.sparrowmesh.decoder.engine.tokenizer.Tokenizer;
import org.sparrowmesh.decoder.engine.tokenizer.Vocabulary;

/**
 * Continuous batching: one thread runs forward steps over every running sequence of every
 * request at once. Each step holds one decode token per running sample plus up to one chunk of
 * prompt tokens of the requests still prefilling, so new requests join at the next step,
 * finished samples leave at once, and a long prompt never stalls the others for more than a
 * chunk.
 *
 * <p>Admission is first come, first served, gated by two budgets: the number of running
 * sequences and the KV-cache memory a request may need (its prompt once, plus each sample's own
 * suffix: the samples fork the prompt's cache). A request that can never fit, or one more than the
 * wait queue holds, is refused at once with a {@link RejectedExecutionException}.
 *
 * <p>Because the forward pass gives every entry of a batch the same logits it would get alone,
 * what a request generates does not depend on what else runs beside it.
 */
public final class Scheduler implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Scheduler.class.getName());

    private final BatchedForward pass;
    private final Tokenizer tokenizer;
    private final SchedulerSettings settings;
    private final StepObserver observer;
    private final long keyValueBytesPerBlock;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition workArrived = lock.newCondition();
    private final ArrayDeque<ActiveRequest> waiting = new ArrayDeque<>(); // guarded by lock
    private boolean shuttingDown;                                          // guarded by lock

    // scheduler thread only
    private final List<ActiveRequest> running = new ArrayList<>();
    private final ForwardBatch batch;
    private final List<SampleSequence> decodedThisStep = new ArrayList<>();
    private final List<ActiveRequest> prefilledThisStep = new ArrayList<>();

    // read by stats() from any thread
    private volatile int queuedRequests;
    private volatile int runningRequests;
    private volatile int runningSequences;
    private volatile long reservedBytes;
    private final AtomicLong rejected = new AtomicLong();
    private volatile long steps;
    private volatile long generatedTokens;

    private final Thread thread;

    /**
     * Starts the scheduler thread.
     *
     * @param pass      the forward pass (CPU or device); its batch capacity must hold {@link SchedulerSettings#stepCapacity()}
     * @param tokenizer the model's tokenizer (detokenizing, end-of-generation tokens)
     */
    public Scheduler(BatchedForward pass, Tokenizer tokenizer, SchedulerSettings settings, StepObserver observer) {
        LlamaConfiguration config = pass.model().config();
        if (pass.batchCapacity() < settings.stepCapacity()) {
            throw new IllegalArgumentException("the forward pass holds " + pass.batchCapacity()
                    + " entries per step; the scheduler needs " + settings.stepCapacity()
                    + " (running sequences + prefill chunk)");
        }
        if (settings.contextSize() > config.contextLength()) {
            throw new IllegalArgumentException("context size " + settings.contextSize()
                    + " exceeds the model's trained context of " + config.contextLength());
        }
        this.pass = pass;
        this.tokenizer = tokenizer;
        this.settings = settings;
        this.observer = observer;
        int bytesPerValue = settings.keyValuePrecision() == KeyValuePrecision.F16 ? 2 : 4;
        this.keyValueBytesPerBlock = (long) config.layerCount() * 2 * KeyValueCache.BLOCK_POSITIONS
                * config.keyValueDimension() * bytesPerValue;
        this.batch = new ForwardBatch(settings.stepCapacity());
        this.thread = Thread.ofPlatform().name("decoder-scheduler").daemon(true).unstarted(this::run);
        thread.start();
    }

    public SchedulerSettings settings() {
        return settings;
    }

    /**
     * KV-cache bytes a request reserves while it runs: the prompt's blocks once (shared by every
     * sample), and per sample the blocks of its own tokens, the prompt's last partial block
     * included (copied on the sample's first write).
     */
    public long keyValueBytesFor(int promptTokens, int sampleCount, int maxTokens) {
        int block = KeyValueCache.BLOCK_POSITIONS;
        int end = Math.min(settings.contextSize(), promptTokens + maxTokens);
        long ownBlocks = ceilDiv(end, block) - promptTokens / block;
        long blocks = ceilDiv(end, block) + (sampleCount - 1) * ownBlocks;
        return blocks * keyValueBytesPerBlock;
    }

    /**
     * Queues a request; its events go to its listener.
     *
     * @throws IllegalArgumentException   when the prompt leaves no room for a new token in the
     *                                    context, or it asks for more samples than may run at once
     * @throws RejectedExecutionException when the wait queue is full, the request could never fit
     *                                    the KV budget, or the scheduler is shutting down
     */
    public GenerationHandle submit(GenerationJob job) {
        int prompt = job.promptTokens().length;
        if (prompt >= settings.contextSize()) {
            throw new IllegalArgumentException("the prompt has " + prompt + " tokens; the context holds "
                    + settings.contextSize() + " and needs room for at least one new token");
        }
        if (job.sampleCount() > settings.maxRunningSequences()) {
            throw new IllegalArgumentException("sample_count " + job.sampleCount() + " exceeds the "
                    + settings.maxRunningSequences() + " sequences this decoder runs at once");
        }
        int vocabulary = tokenizer.vocabularySize();
        for (int token : job.promptTokens()) {
            if (token < 0 || token >= vocabulary) {
                throw new IllegalArgumentException("prompt token id " + token + " is outside the vocabulary [0, "
                        + vocabulary + ")");
            }
        }
        long bytes = keyValueBytesFor(prompt, job.sampleCount(), job.maxTokens());
        if (bytes > settings.keyValueBudgetBytes()) {
            rejected.incrementAndGet();
            throw new RejectedExecutionException("the request needs " + mebibytes(bytes)
                    + " MiB of KV cache; the decoder's budget is " + mebibytes(settings.keyValueBudgetBytes())
                    + " MiB: ask for fewer samples or tokens");
        }
        ActiveRequest request = new ActiveRequest(job, System.nanoTime(), bytes, this::wake);
        lock.lock();
        try {
            if (shuttingDown) {
                throw new RejectedExecutionException("the decoder is shutting down");
            }
            if (waiting.size() >= settings.maxQueuedRequests()) {
                rejected.incrementAndGet();
                throw new RejectedExecutionException("the decoder is busy: " + waiting.size()
                        + " requests are already waiting (the queue holds " + settings.maxQueuedRequests()
                        + "); retry later");
            }
            waiting.addLast(request);
            queuedRequests = waiting.size();
            workArrived.signal();
        } finally {
            lock.unlock();
        }
        return request;
    }

    public SchedulerStats stats() {
        return new SchedulerStats(queuedRequests, runningRequests, runningSequences, reservedBytes,
                settings.keyValueBudgetBytes(), rejected.get(), steps, generatedTokens);
    }

    /** Stops the thread: queued requests fail, running samples end as cancelled. */
    @Override
    public void close() {
        lock.lock();
        try {
            shuttingDown = true;
            workArrived.signal();
        } finally {
            lock.unlock();
        }
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void wake() {
        lock.lock();
        try {
            workArrived.signal();
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- the scheduler thread

    private void run() {
        try {
            while (awaitWork()) {
                endCancelledAndExpired(System.nanoTime());
                step();
                endFinishedRequests();
                publishCounts();
            }
        } catch (Throwable fatal) {
            LOG.log(Level.ERROR, "the decoder scheduler stopped", fatal);
            failEverything(fatal);
            throw fatal;
        }
        failEverything(new CancellationException("the decoder is shutting down"));
    }

    /**
     * Admits waiting requests while the budgets allow (in arrival order), sweeping out queued ones
     * that were cancelled or expired; sleeps while there is nothing to do.
     *
     * @return false when shutting down
     */
    private boolean awaitWork() {
        List<ActiveRequest> failed = new ArrayList<>();
        lock.lock();
        try {
            while (true) {
                if (shuttingDown) {
                    return false;
                }
                long now = System.nanoTime();
                for (Iterator<ActiveRequest> it = waiting.iterator(); it.hasNext(); ) {
                    ActiveRequest queued = it.next();
                    if (queued.cancelled() || expired(queued, now)) {
                        it.remove();
                        failed.add(queued);
                    }
                }
                while (!waiting.isEmpty() && fits(waiting.peekFirst())) {
                    admit(waiting.pollFirst(), now);
                }
                queuedRequests = waiting.size();
                if (!running.isEmpty() || !failed.isEmpty()) {
                    break;
                }
                workArrived.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
        for (ActiveRequest request : failed) {
            notifyFailed(request, request.cancelled()
                    ? new CancellationException("cancelled while waiting in the queue")
                    : new TimeoutException("the deadline passed while the request waited in the queue"));
        }
        return true;
    }

    private boolean fits(ActiveRequest request) {
        return runningSequences + request.job.sampleCount() <= settings.maxRunningSequences()
                && reservedBytes + request.reservedBytes <= settings.keyValueBudgetBytes();
    }

    private void admit(ActiveRequest request, long now) {
        request.admittedNanos = now;
        request.prefillState = pass.newState(settings.contextSize(), settings.keyValuePrecision());
        running.add(request);
        runningSequences += request.job.sampleCount();
        reservedBytes += request.reservedBytes;
        runningRequests = running.size();
    }

    /** Cancelled requests and passed deadlines end here, before the step: they take no more tokens. */
    private void endCancelledAndExpired(long now) {
        for (ActiveRequest request : running) {
            boolean cancelled = request.cancelled();
            boolean expired = expired(request, now);
            if (!cancelled && !expired) {
                continue;
            }
            if (!request.started()) {
                releasePrefill(request);
                notifyFailed(request, cancelled ? new CancellationException("cancelled")
                        : new TimeoutException("the deadline passed before the first token"));
                request.finishedSamples = -1; // ended without samples
            } else {
                for (SampleSequence sample : request.samples) {
                    if (!sample.done) {
                        finish(sample, cancelled ? FinishReason.CANCELLED : FinishReason.DEADLINE, "");
                    }
                }
            }
        }
    }

    /** One forward step: a decode token for every running sample, then prompt chunks. */
    private void step() {
        batch.clear();
        decodedThisStep.clear();
        prefilledThisStep.clear();
        for (ActiveRequest request : running) {
            for (SampleSequence sample : request.samples) {
                if (!sample.done) {
                    batch.add(sample.state, sample.pendingToken, true);
                    decodedThisStep.add(sample);
                }
            }
        }
        int prefillBudget = settings.prefillChunkTokens();
        int prefillTokens = 0;
        for (ActiveRequest request : running) {
            if (prefillBudget == 0) {
                break;
            }
            if (!request.prefilling()) {
                continue;
            }
            int[] prompt = request.job.promptTokens();
            int count = Math.min(prefillBudget, prompt.length - request.prefilledTokens);
            for (int i = 0; i < count; i++) {
                int at = request.prefilledTokens + i;
                batch.add(request.prefillState, prompt[at], at == prompt.length - 1);
            }
            request.prefilledTokens += count;
            prefillBudget -= count;
            prefillTokens += count;
            prefilledThisStep.add(request);
        }
        if (batch.size() == 0) {
            return;
        }
        long start = System.nanoTime();
        try {
            pass.forward(batch);
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "a forward step of " + batch.size() + " entries failed", e);
            failStep(e);
            return;
        }
        for (SampleSequence sample : decodedThisStep) {
            advance(sample);
        }
        for (ActiveRequest request : prefilledThisStep) {
            if (request.prefilledTokens == request.job.promptTokens().length) {
                startSamples(request);
            }
        }
        steps++;
        observer.onStep(decodedThisStep.size(), prefillTokens, System.nanoTime() - start);
    }

    /** The prompt is in the cache: fork it once per sample and sample every first token. */
    private void startSamples(ActiveRequest request) {
        GenerationJob job = request.job;
        request.prefillDoneNanos = System.nanoTime();
        InferenceState prompt = request.prefillState;
        request.prefillState = null;
        int reserve = Math.min(settings.contextSize(), job.promptTokens().length + job.maxTokens());
        for (int i = 0; i < job.sampleCount(); i++) {
            // the last sample continues the prompt's own state; the others share its blocks
            InferenceState state = i == job.sampleCount() - 1 ? prompt : prompt.fork();
            state.cache().reserve(reserve);
            SampleSequence sample = new SampleSequence(request, i, state,
                    new Sampler(job.sampling(), tokenizer.vocabularySize(), i), TokenHistory.of(job.promptTokens()),
                    StreamingDetokenizer.continuing(tokenizer), new StopStringMatcher(job.stopStrings()));
            request.samples.add(sample);
        }
        for (SampleSequence sample : request.samples) {
            advance(sample);
        }
    }

    /** Samples the next token of {@code sample} from its fresh logits, reports it and checks the stop conditions. */
    private void advance(SampleSequence sample) {
        ActiveRequest request = sample.request;
        GenerationJob job = request.job;
        float[] logits = sample.state.logits();
        int token;
        float logProbability;
        SampledToken sampled = null;
        try {
            if (job.logProbabilities()) {
                sampled = sample.sampler.sample(logits, sample.state.logSumExp(), sample.history, job.alternativeCount());
                token = sampled.id();
                logProbability = sampled.logProbability();
            } else {
                token = sample.sampler.sample(logits, sample.state.logSumExp(), sample.history);
                logProbability = sample.sampler.lastLogProbability();
            }
        } catch (RuntimeException e) {
            finish(sample, FinishReason.ERROR, "sampling failed: " + e.getMessage());
            return;
        }
        if (request.firstTokenNanos == 0) {
            request.firstTokenNanos = System.nanoTime();
        }
        sample.tokenCount++;
        sample.logProbabilitySum += logProbability;
        request.generatedTokens++;
        generatedTokens++;
        if (tokenizer.isEndOfGeneration(token)) {
            emit(request, new TokenEvent(sample.index, token, "", sampled));
            finish(sample, FinishReason.END_OF_GENERATION, "");
            return;
        }
        sample.history.add(token);
        String text = sample.stops.append(sample.detokenizer.accept(token));
        emit(request, new TokenEvent(sample.index, token, text, sampled));
        if (sample.stops.stopped()) {
            finish(sample, FinishReason.STOP_STRING, "");
        } else if (sample.tokenCount == job.maxTokens()) {
            finish(sample, FinishReason.LENGTH, "");
        } else if (sample.state.position() >= sample.state.contextSize()) {
            finish(sample, FinishReason.CONTEXT_FULL, "");
        } else {
            sample.pendingToken = token;
        }
    }

    /** Ends one sample: releases the text held back for stop strings and reports the outcome. */
    private void finish(SampleSequence sample, FinishReason reason, String errorMessage) {
        sample.done = true;
        ActiveRequest request = sample.request;
        request.finishedSamples++;
        StopStringMatcher stops = sample.stops;
        if (!stops.stopped()) {
            // a character cut off by the end comes out as U+FFFD, which may still complete a stop string
            String tail = stops.append(sample.detokenizer.flush());
            if (stops.stopped() && reason != FinishReason.CANCELLED && reason != FinishReason.DEADLINE) {
                reason = FinishReason.STOP_STRING;
            }
            tail += stops.finish();
            if (!tail.isEmpty()) {
                emit(request, new TokenEvent(sample.index, Vocabulary.NO_TOKEN, tail, null));
            }
        }
        SampleOutcome outcome = new SampleOutcome(sample.index, reason, stops.text(), sample.tokenCount,
                sample.meanLogProbability(), stops.matchedStopString().orElse(""), errorMessage);
        try {
            request.job.listener().onSampleDone(outcome);
        } catch (RuntimeException e) {
            listenerFailed(request, e);
        }
    }

    private void emit(ActiveRequest request, TokenEvent event) {
        try {
            request.job.listener().onToken(event);
        } catch (RuntimeException e) {
            listenerFailed(request, e);
        }
    }

    /** A listener that throws has lost its client: its request is cancelled at the next step. */
    private void listenerFailed(ActiveRequest request, RuntimeException e) {
        LOG.log(Level.WARNING, "request " + request.job.requestId() + ": its listener failed, cancelling it: " + e);
        request.cancel();
    }

    /** Every request of a failed step ends: prefilling ones fail, decoding samples end with ERROR. */
    private void failStep(RuntimeException e) {
        String message = "the forward step failed: " + (e.getMessage() == null ? e.toString() : e.getMessage());
        for (SampleSequence sample : decodedThisStep) {
            if (!sample.done) {
                finish(sample, FinishReason.ERROR, message);
            }
        }
        for (ActiveRequest request : prefilledThisStep) {
            if (!request.started() && request.finishedSamples >= 0) {
                releasePrefill(request);
                request.finishedSamples = -1;
                notifyFailed(request, new IllegalStateException(message, e));
            }
        }
    }

    private void endFinishedRequests() {
        for (Iterator<ActiveRequest> it = running.iterator(); it.hasNext(); ) {
            ActiveRequest request = it.next();
            boolean failed = request.finishedSamples < 0;
            if (!failed && !request.allSamplesDone()) {
                continue;
            }
            it.remove();
            runningSequences -= request.job.sampleCount();
            reservedBytes -= request.reservedBytes;
            // a device's slots go back before the listener hears the end; the host's KV blocks go with the states
            for (SampleSequence sample : request.samples) {
                sample.state.release();
            }
            releasePrefill(request);
            if (!failed) {
                long end = System.nanoTime();
                RequestUsage usage = new RequestUsage(request.job.promptTokens().length, request.generatedTokens,
                        request.admittedNanos - request.submittedNanos, request.prefillDoneNanos - request.admittedNanos,
                        request.firstTokenNanos - request.submittedNanos, end - request.submittedNanos,
                        request.job.sampling().seed());
                try {
                    request.job.listener().onFinished(usage);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "request " + request.job.requestId() + ": onFinished failed: " + e);
                }
            }
            request.samples.clear();
        }
    }

    private static void releasePrefill(ActiveRequest request) {
        if (request.prefillState != null) {
            request.prefillState.release();
            request.prefillState = null;
        }
    }

    private void notifyFailed(ActiveRequest request, Throwable failure) {
        try {
            request.job.listener().onFailed(failure);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "request " + request.job.requestId() + ": onFailed failed: " + e);
        }
    }

    private void publishCounts() {
        runningRequests = running.size();
    }

    private void failEverything(Throwable cause) {
        for (ActiveRequest request : running) {
            if (!request.started()) {
                if (request.finishedSamples >= 0) {
                    notifyFailed(request, cause);
                }
                continue;
            }
            for (SampleSequence sample : request.samples) {
                if (!sample.done) {
                    finish(sample, FinishReason.CANCELLED, "");
                }
            }
            request.finishedSamples = request.samples.size();
        }
        endFinishedRequests();
        List<ActiveRequest> queued;
        lock.lock();
        try {
            shuttingDown = true;
            queued = new ArrayList<>(waiting);
            waiting.clear();
            queuedRequests = 0;
        } finally {
            lock.unlock();
        }
        for (ActiveRequest request : queued) {
            notifyFailed(request, new CancellationException("the decoder is shutting down"));
        }
        runningRequests = 0;
    }

    private static boolean expired(ActiveRequest request, long now) {
        long deadline = request.job.deadlineNanos();
        return deadline != Long.MAX_VALUE && now - deadline >= 0;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    private static long mebibytes(long bytes) {
        return (bytes + (1 << 20) - 1) >> 20;
    }
}
