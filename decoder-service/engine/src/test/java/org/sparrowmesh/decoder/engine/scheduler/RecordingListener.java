package org.sparrowmesh.decoder.engine.scheduler;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.sparrowmesh.decoder.engine.tokenizer.Vocabulary;

/** Collects a request's events (also for the CUDA scheduler tests); {@link #end()} completes with the usage or the failure. */
public class RecordingListener implements GenerationListener {

    final List<TokenEvent> tokens = new ArrayList<>();
    final List<SampleOutcome> outcomes = new ArrayList<>();
    final CompletableFuture<RequestUsage> end = new CompletableFuture<>();
    final CountDownLatch firstToken = new CountDownLatch(1);

    @Override
    public synchronized void onToken(TokenEvent event) {
        tokens.add(event);
        firstToken.countDown();
    }

    @Override
    public synchronized void onSampleDone(SampleOutcome outcome) {
        outcomes.add(outcome);
    }

    @Override
    public void onFinished(RequestUsage usage) {
        end.complete(usage);
    }

    @Override
    public void onFailed(Throwable failure) {
        end.completeExceptionally(failure);
    }

    public RequestUsage awaitEnd() throws Exception {
        return end.get(60, TimeUnit.SECONDS);
    }

    void awaitFirstToken() throws InterruptedException {
        if (!firstToken.await(60, TimeUnit.SECONDS)) {
            throw new AssertionError("no token within 60 s");
        }
    }

    public synchronized int[] tokenIds(int sample) {
        return tokens.stream().filter(t -> t.sampleIndex() == sample && t.tokenId() != Vocabulary.NO_TOKEN)
                .mapToInt(TokenEvent::tokenId).toArray();
    }

    synchronized String text(int sample) {
        StringBuilder text = new StringBuilder();
        tokens.stream().filter(t -> t.sampleIndex() == sample).forEach(t -> text.append(t.text()));
        return text.toString();
    }

    public synchronized SampleOutcome outcome(int sample) {
        return outcomes.stream().filter(o -> o.sampleIndex() == sample).findFirst().orElseThrow();
    }
}
