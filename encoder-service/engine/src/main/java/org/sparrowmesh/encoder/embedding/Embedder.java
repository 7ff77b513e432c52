package org.sparrowmesh.encoder.embedding;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import org.sparrowmesh.encoder.batching.BatchListener;
import org.sparrowmesh.encoder.batching.BatcherSettings;
import org.sparrowmesh.encoder.batching.BatcherStats;
import org.sparrowmesh.encoder.batching.MicroBatcher;
import org.sparrowmesh.encoder.engine.SentenceEncoder;
import org.sparrowmesh.encoder.engine.TextEmbedding;

/**
 * What the service layer calls: checks a request against {@link EmbedLimits}, puts the prefix
 * of its {@link InputType} before every text, sends the texts through the {@link MicroBatcher}
 * (one model call for many concurrent requests) and normalises the vectors the request wants
 * normalised. Never blocks the caller.
 */
public final class Embedder implements AutoCloseable {

    private final ModelFacts facts;
    private final Prefixes prefixes;
    private final MicroBatcher<String, TextEmbedding> batcher;

    /**
     * @param model a batch of texts → their un-normalised embeddings, in order (runs on the
     *              batcher's worker threads)
     */
    public Embedder(Function<List<String>, List<TextEmbedding>> model, ModelFacts facts, Prefixes prefixes,
            BatcherSettings batching, BatchListener listener) {
        this.facts = Objects.requireNonNull(facts, "model facts");
        this.prefixes = Objects.requireNonNull(prefixes, "prefixes");
        this.batcher = new MicroBatcher<>(model, batching, listener);
    }

    /** An embedder over a loaded {@link SentenceEncoder}. */
    public static Embedder over(SentenceEncoder encoder, boolean normalizeByDefault, Prefixes prefixes,
            BatcherSettings batching, BatchListener listener) {
        ModelFacts facts = new ModelFacts(encoder.spec().name(), encoder.dimension(),
                encoder.spec().maxSequenceLength(), encoder.spec().pooling(), normalizeByDefault);
        return new Embedder(encoder::embed, facts, prefixes, batching, listener);
    }

    public ModelFacts facts() {
        return facts;
    }

    public BatcherStats stats() {
        return batcher.stats();
    }

    /**
     * Embeds {@code texts} (none → an empty list at once).
     *
     * @param normalize null for the model's default ({@link ModelFacts#normalizedByDefault()})
     * @throws IllegalArgumentException when the texts break {@link EmbedLimits}
     * @throws java.util.concurrent.RejectedExecutionException when the queue is full
     */
    public CompletableFuture<List<TextEmbedding>> embed(List<String> texts, InputType type, Boolean normalize) {
        EmbedLimits.check(texts);
        boolean unit = normalize != null ? normalize : facts.normalizedByDefault();
        List<String> prefixed = texts;
        if (!prefixes.query().isEmpty() || !prefixes.passage().isEmpty()) {
            prefixed = new ArrayList<>(texts.size());
            for (String text : texts) {
                prefixed.add(prefixes.apply(type, text));
            }
        }
        CompletableFuture<List<TextEmbedding>> raw = batcher.submit(prefixed);
        if (!unit) {
            return raw;
        }
        CompletableFuture<List<TextEmbedding>> normalized =
                raw.thenApply(list -> list.stream().map(TextEmbedding::normalized).toList());
        // a caller that gives up cancels the batcher's future too, so its texts are skipped
        normalized.whenComplete((result, failure) -> {
            if (normalized.isCancelled()) {
                raw.cancel(false);
            }
        });
        return normalized;
    }

    /** Finishes the queued texts and stops the worker threads. */
    @Override
    public void close() {
        batcher.close();
    }
}
