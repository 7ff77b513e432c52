package org.sparrowmesh.decoder.engine.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sparrowmesh.decoder.engine.SharedTestData;
import org.sparrowmesh.decoder.engine.generation.FinishReason;
import org.sparrowmesh.decoder.engine.generation.GenerationRequest;
import org.sparrowmesh.decoder.engine.generation.GenerationResult;
import org.sparrowmesh.decoder.engine.generation.TextGenerator;
import org.sparrowmesh.decoder.engine.gguf.GGUFFile;
import org.sparrowmesh.decoder.engine.model.ForwardPass;
import org.sparrowmesh.decoder.engine.model.KeyValuePrecision;
import org.sparrowmesh.decoder.engine.model.Llama;
import org.sparrowmesh.decoder.engine.sampling.SamplingParameters;
import org.sparrowmesh.decoder.engine.tokenizer.Tokenizer;

/** Continuous batching on the real stories260K model. */
class SchedulerTest {

    private static final List<String> PROMPTS = List.of("Once upon a time", "The little dog", "Lily went to the park",
            "One day, a boy named Tom", "The sun was", "Mom said", "A big red ball", "The cat and the bird");

    private static GGUFFile gguf;
    private static Llama llama;
    private static Tokenizer tokenizer;
    private static ForwardPass pass;
    private Scheduler scheduler;
    private final List<Integer> stepSequences = new ArrayList<>();
    private final List<Integer> stepPrefillTokens = new ArrayList<>();

    @BeforeAll
    static void load() throws Exception {
        gguf = GGUFFile.open(SharedTestData.stories260K());
        llama = Llama.load(gguf);
        tokenizer = Tokenizer.fromGGUF(gguf.metadata());
        pass = new ForwardPass(llama, 64);
    }

    @AfterAll
    static void close() {
        pass.close();
        gguf.close();
    }

    @AfterEach
    void stop() {
        if (scheduler != null) {
            scheduler.close();
        }
    }

    private Scheduler start(int maxRunning, int maxQueued, int prefillChunk, long budget) {
        scheduler = new Scheduler(pass, tokenizer,
                new SchedulerSettings(maxRunning, maxQueued, prefillChunk, budget, 256, KeyValuePrecision.F32),
                (sequences, prefill, nanos) -> {
                    synchronized (stepSequences) {
                        stepSequences.add(sequences);
                        stepPrefillTokens.add(prefill);
                    }
                });
        return scheduler;
    }

    private static GenerationJob job(String prompt, int samples, SamplingParameters sampling, int maxTokens,
            RecordingListener listener) {
        return new GenerationJob("test", tokenizer.encode(prompt, true, false), samples, sampling, maxTokens, List.of(),
                false, 0, Long.MAX_VALUE, listener);
    }

    private static GenerationResult alone(String prompt, SamplingParameters sampling, int maxTokens) {
        try (ForwardPass single = new ForwardPass(llama, 8)) {
            return new TextGenerator(single, tokenizer)
                    .generate(new GenerationRequest(prompt, maxTokens, sampling, List.of(), 256, false), text -> { });
        }
    }

    @Test
    void greedyRequestsRunTogetherGiveExactlyWhatEachGivesAlone() throws Exception {
        start(32, 64, 16, 1L << 30);
        List<RecordingListener> listeners = new ArrayList<>();
        for (String prompt : PROMPTS) {
            RecordingListener listener = new RecordingListener();
            scheduler.submit(job(prompt, 1, SamplingParameters.greedy(), 40, listener));
            listeners.add(listener);
        }
        for (int i = 0; i < PROMPTS.size(); i++) {
            RequestUsage usage = listeners.get(i).awaitEnd();
            GenerationResult expected = alone(PROMPTS.get(i), SamplingParameters.greedy(), 40);
            RecordingListener got = listeners.get(i);
            assertThat(got.tokenIds(0)).as(PROMPTS.get(i)).containsExactly(expected.generatedTokens());
            assertThat(got.text(0)).isEqualTo(expected.text()).isEqualTo(got.outcome(0).text());
            assertThat(got.outcome(0).finishReason()).isEqualTo(expected.finishReason());
            assertThat(usage.promptTokens()).isEqualTo(expected.promptTokens().length);
            assertThat(usage.generatedTokens()).isEqualTo(got.outcome(0).tokenCount());
        }
        // batched, not one after another: some step decoded several requests at once
        synchronized (stepSequences) {
            assertThat(stepSequences.stream().mapToInt(Integer::intValue).max().orElse(0)).isGreaterThan(4);
        }
    }

    @Test
    void samplesOfOnePromptShareItsPrefillAreReproducibleAndDiffer() throws Exception {
        start(32, 64, 32, 1L << 30);
        SamplingParameters sampling = SamplingParameters.builder().temperature(1.0f).seed(42).build();
        RecordingListener first = new RecordingListener();
        RecordingListener second = new RecordingListener();
        scheduler.submit(job("Once upon a time", 4, sampling, 30, first));
        scheduler.submit(job("Once upon a time", 4, sampling, 30, second));
        first.awaitEnd();
        second.awaitEnd();
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            assertThat(second.tokenIds(i)).containsExactly(first.tokenIds(i));
            texts.add(first.outcome(i).text());
        }
        assertThat(texts).doesNotHaveDuplicates();
        // sample 0 draws from the request's own seed: a one-sample request gives the same text
        GenerationResult alone = alone("Once upon a time", sampling, 30);
        assertThat(first.tokenIds(0)).containsExactly(alone.generatedTokens());
        // the prompt was fed once per request: 5 tokens each, not 4 × 5
        synchronized (stepSequences) {
            int prefilled = stepPrefillTokens.stream().mapToInt(Integer::intValue).sum();
            assertThat(prefilled).isEqualTo(2 * tokenizer.encode("Once upon a time", true, false).length);
        }
    }

    @Test
    void aLongPromptIsPrefilledInChunksWhileOthersKeepDecoding() throws Exception {
        start(8, 8, 4, 1L << 30);
        RecordingListener running = new RecordingListener();
        scheduler.submit(job("Once upon a time", 1, SamplingParameters.greedy(), 60, running));
        running.awaitFirstToken();
        RecordingListener longPrompt = new RecordingListener();
        String prompt = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park with her friends.";
        scheduler.submit(job(prompt, 1, SamplingParameters.greedy(), 5, longPrompt));
        longPrompt.awaitEnd();
        running.awaitEnd();
        synchronized (stepSequences) {
            assertThat(stepPrefillTokens).allMatch(tokens -> tokens <= 4);
            boolean interleaved = false;
            for (int i = 0; i < stepSequences.size(); i++) {
                interleaved |= stepPrefillTokens.get(i) > 0 && stepSequences.get(i) > 0;
            }
            assertThat(interleaved).as("a step with both a prompt chunk and a decode token").isTrue();
        }
        assertThat(longPrompt.tokenIds(0)).containsExactly(alone(prompt, SamplingParameters.greedy(), 5).generatedTokens());
    }

    @Test
    void cancellingARunningRequestFreesItsSlotForTheNextAtOnce() throws Exception {
        start(1, 4, 16, 1L << 30);
        RecordingListener blocker = new RecordingListener();
        GenerationHandle handle = scheduler.submit(job("Once upon a time", 1, SamplingParameters.greedy(), 200, blocker));
        blocker.awaitFirstToken();
        RecordingListener next = new RecordingListener();
        scheduler.submit(job("The little dog", 1, SamplingParameters.greedy(), 5, next));
        assertThat(scheduler.stats().queuedRequests()).isEqualTo(1);
        handle.cancel();
        next.awaitEnd();
        blocker.awaitEnd();
        assertThat(blocker.outcome(0).finishReason()).isEqualTo(FinishReason.CANCELLED);
        assertThat(blocker.outcome(0).tokenCount()).isLessThan(200);
        assertThat(scheduler.stats().runningSequences()).isZero();
        assertThat(scheduler.stats().keyValueReservedBytes()).isZero();
    }

    @Test
    void aFullQueueAndARequestBeyondTheKvBudgetAreRefusedAtOnce() throws Exception {
        start(1, 1, 16, 1L << 30);
        RecordingListener blocker = new RecordingListener();
        GenerationHandle handle = scheduler.submit(job("Once upon a time", 1, SamplingParameters.greedy(), 200, blocker));
        blocker.awaitFirstToken();
        scheduler.submit(job("The sun was", 1, SamplingParameters.greedy(), 5, new RecordingListener()));
        assertThatThrownBy(() -> scheduler.submit(job("Mom said", 1, SamplingParameters.greedy(), 5, new RecordingListener())))
                .isInstanceOf(RejectedExecutionException.class).hasMessageContaining("busy");
        handle.cancel();
        scheduler.close();

        long oneRequest = scheduler.keyValueBytesFor(5, 1, 100);
        start(4, 4, 16, oneRequest);
        assertThatThrownBy(() -> scheduler.submit(job("Once upon a time", 2, SamplingParameters.greedy(), 100,
                new RecordingListener()))).isInstanceOf(RejectedExecutionException.class).hasMessageContaining("KV cache");
        assertThat(scheduler.stats().rejectedRequests()).isEqualTo(1);
    }

    @Test
    void theKvBudgetMakesARequestWaitUntilAnotherFinishes() throws Exception {
        start(4, 4, 16, 1L << 30);
        long oneRequest = scheduler.keyValueBytesFor(tokenizer.encode("Once upon a time", true, false).length, 1, 30);
        scheduler.close();
        start(4, 4, 16, oneRequest);
        RecordingListener first = new RecordingListener();
        RecordingListener second = new RecordingListener();
        AtomicInteger firstDoneBeforeSecondStarted = new AtomicInteger();
        scheduler.submit(job("Once upon a time", 1, SamplingParameters.greedy(), 30, first));
        scheduler.submit(job("Once upon a time", 1, SamplingParameters.greedy(), 30, new RecordingListener() {
            @Override
            public synchronized void onToken(TokenEvent event) {
                if (first.end.isDone()) {
                    firstDoneBeforeSecondStarted.incrementAndGet();
                }
                second.onToken(event);
            }

            @Override
            public void onFinished(RequestUsage usage) {
                second.onFinished(usage);
            }
        }));
        second.awaitEnd();
        assertThat(firstDoneBeforeSecondStarted.get()).isEqualTo(second.tokens.size());
    }

    @Test
    void aDeadlineBeforeTheFirstTokenFailsAndOneAfterItEndsTheSamples() throws Exception {
        start(4, 4, 16, 1L << 30);
        RecordingListener late = new RecordingListener();
        scheduler.submit(new GenerationJob("late", tokenizer.encode("Once upon a time", true, false), 1,
                SamplingParameters.greedy(), 10, List.of(), false, 0, System.nanoTime() - 1, late));
        assertThatThrownBy(late::awaitEnd).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TimeoutException.class);

        // a deadline that passes once tokens flow: the samples end with their text so far
        long deadline = System.nanoTime() + 50_000_000L;
        RecordingListener running = new RecordingListener() {
            @Override
            public synchronized void onToken(TokenEvent event) {
                super.onToken(event);
                while (System.nanoTime() - deadline < 0) {
                    Thread.onSpinWait(); // holds the scheduler thread until the deadline has passed
                }
            }
        };
        scheduler.submit(new GenerationJob("deadline", tokenizer.encode("Once upon a time", true, false), 2,
                SamplingParameters.greedy(), 200, List.of(), false, 0, deadline, running));
        RequestUsage usage = running.awaitEnd();
        assertThat(running.outcomes).hasSize(2).allSatisfy(o -> {
            assertThat(o.finishReason()).isEqualTo(FinishReason.DEADLINE);
            assertThat(o.tokenCount()).isEqualTo(1);
            assertThat(o.text()).isEqualTo(running.text(o.sampleIndex()));
        });
        assertThat(usage.generatedTokens()).isEqualTo(2);
    }

    @Test
    void aQueuedRequestCancelledBeforeItStartsFailsWithCancellation() throws Exception {
        start(1, 4, 16, 1L << 30);
        RecordingListener blocker = new RecordingListener();
        GenerationHandle running = scheduler.submit(job("Once upon a time", 1, SamplingParameters.greedy(), 200, blocker));
        blocker.awaitFirstToken();
        RecordingListener queued = new RecordingListener();
        scheduler.submit(job("The sun was", 1, SamplingParameters.greedy(), 5, queued)).cancel();
        assertThatThrownBy(queued::awaitEnd).hasCauseInstanceOf(CancellationException.class);
        running.cancel();
        blocker.awaitEnd();
    }

    @Test
    void logProbabilitiesAndAlternativesComeWithEveryTokenWhenAsked() throws Exception {
        start(4, 4, 16, 1L << 30);
        RecordingListener listener = new RecordingListener();
        scheduler.submit(new GenerationJob("lp", tokenizer.encode("Once upon a time", true, false), 1,
                SamplingParameters.greedy(), 8, List.of(), true, 3, Long.MAX_VALUE, listener));
        listener.awaitEnd();
        assertThat(listener.tokens).filteredOn(t -> t.tokenId() >= 0).hasSize(8).allSatisfy(t -> {
            assertThat(t.sampled().logProbability()).isNegative();
            assertThat(t.sampled().topAlternatives()).hasSize(3);
            // greedy: the chosen token is the most likely one
            assertThat(t.sampled().topAlternatives().get(0).id()).isEqualTo(t.tokenId());
        });
        double mean = listener.tokens.stream().filter(t -> t.tokenId() >= 0)
                .mapToDouble(t -> t.sampled().logProbability()).average().orElseThrow();
        assertThat(listener.outcome(0).meanLogProbability()).isCloseTo(mean, org.assertj.core.data.Offset.offset(1e-5));
    }

    @Test
    void aPromptThatFillsTheContextIsRefusedNamingItsLength() {
        start(4, 4, 16, 1L << 30);
        int[] tooLong = new int[256];
        java.util.Arrays.fill(tooLong, 1);
        assertThatThrownBy(() -> scheduler.submit(new GenerationJob("x", tooLong, 1, SamplingParameters.greedy(), 5,
                List.of(), false, 0, Long.MAX_VALUE, new RecordingListener())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("256 tokens");
    }
}
