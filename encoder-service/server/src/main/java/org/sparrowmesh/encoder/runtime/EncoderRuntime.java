package org.sparrowmesh.encoder.runtime;

import java.util.Optional;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import org.jboss.logging.Logger;
import org.sparrowmesh.encoder.batching.BatcherSettings;
import org.sparrowmesh.encoder.embedding.Embedder;
import org.sparrowmesh.encoder.embedding.ModelFacts;
import org.sparrowmesh.encoder.embedding.Prefixes;
import org.sparrowmesh.encoder.engine.ModelFiles;
import org.sparrowmesh.encoder.engine.ModelSpec;
import org.sparrowmesh.encoder.engine.NativeLibraries;
import org.sparrowmesh.encoder.engine.SentenceEncoder;

/**
 * Loads the model once at start-up (from {@link EncoderConfig}) and hands the {@link Embedder}
 * to the gRPC and HTTP endpoints. A model that cannot be loaded leaves the service up with
 * {@code loaded = false}: Info says so and Embed answers FAILED_PRECONDITION with the reason.
 */
@ApplicationScoped
public class EncoderRuntime {

    private static final Logger LOG = Logger.getLogger(EncoderRuntime.class);

    @Inject
    EncoderConfig config;

    @Inject
    MeterRegistry registry;

    private volatile SentenceEncoder encoder;
    private volatile Embedder embedder;
    private volatile String unavailable = "the model is still loading";

    void load(@Observes StartupEvent start) {
        NativeLibraries.useCacheDir(config.nativeCacheDir().orElseGet(NativeLibraries::defaultCacheDir));
        long t0 = System.nanoTime();
        try {
            ModelSpec spec = spec();
            encoder = SentenceEncoder.load(spec);
            Prefixes prefixes = new Prefixes(config.queryPrefix().orElse(""), config.passagePrefix().orElse(""));
            BatcherSettings batching = new BatcherSettings(config.batch().maxSize(), config.batch().maxWait(),
                    config.batch().queueCapacity(), config.batch().workers(), "encoder-batcher");
            Embedder ready = Embedder.over(encoder, config.normalize(), prefixes, batching, new EncoderMetrics(registry));
            Gauge.builder("mesh.encoder.queue.depth", ready, e -> e.stats().queued())
                    .description("Texts waiting for a batch").register(registry);
            embedder = ready;
            LOG.infof("encoder model %s loaded in %d ms from %s: %d dimensions, %d tokens max, %s pooling; "
                            + "batches of up to %d texts, max wait %s",
                    spec.name(), (System.nanoTime() - t0) / 1_000_000, spec.files().describe(), encoder.dimension(),
                    spec.maxSequenceLength(), spec.pooling(), batching.maxBatchSize(), batching.maxWait());
        } catch (Exception | LinkageError e) {
            unavailable = e.getMessage();
            LOG.errorf(e, "no encoder model: %s", e.getMessage());
        }
    }

    private ModelSpec spec() {
        EncoderConfig.Model model = config.model();
        ModelFiles files;
        if (model.onnx().isPresent() != model.tokenizer().isPresent()) {
            throw new IllegalArgumentException("mesh.encoder.model.onnx and mesh.encoder.model.tokenizer go together: "
                    + "set both (another model) or neither (the bundled all-MiniLM-L6-v2)");
        }
        files = model.onnx().isPresent() ? ModelFiles.of(model.onnx().get(), model.tokenizer().get())
                : ModelFiles.bundledMiniLm();
        return new ModelSpec(model.name(), files, model.maxSequenceLength(), model.pooling(), model.intraOpThreads());
    }

    /**
     * The embedder.
     *
     * @throws IllegalStateException (FAILED_PRECONDITION) when no model is loaded, with the reason
     */
    public Embedder embedder() {
        Embedder current = embedder;
        if (current == null) {
            throw new IllegalStateException("no embedding model is loaded: " + unavailable);
        }
        return current;
    }

    /** The loaded model's facts; empty when none is loaded. */
    public Optional<ModelFacts> facts() {
        Embedder current = embedder;
        return current == null ? Optional.empty() : Optional.of(current.facts());
    }

    @PreDestroy
    void close() {
        Embedder current = embedder;
        embedder = null;
        unavailable = "the service is shutting down";
        if (current != null) {
            current.close();
        }
        if (encoder != null) {
            encoder.close();
        }
    }
}
