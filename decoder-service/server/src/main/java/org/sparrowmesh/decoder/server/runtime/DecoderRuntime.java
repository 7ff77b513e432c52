package org.sparrowmesh.decoder.server.runtime;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;
import org.sparrowmesh.decoder.engine.chat.ChatTemplate;
import org.sparrowmesh.decoder.engine.cuda.CudaBatchedForward;
import org.sparrowmesh.decoder.engine.cuda.CudaDevice;
import org.sparrowmesh.decoder.engine.cuda.DecoderBackend;
import org.sparrowmesh.decoder.engine.gguf.GGUFFile;
import org.sparrowmesh.decoder.engine.gguf.GgmlType;
import org.sparrowmesh.decoder.engine.gguf.TensorInfo;
import org.sparrowmesh.decoder.engine.kernels.KernelProvider;
import org.sparrowmesh.decoder.engine.model.BatchedForward;
import org.sparrowmesh.decoder.engine.model.ForwardPass;
import org.sparrowmesh.decoder.engine.model.KeyValuePrecision;
import org.sparrowmesh.decoder.engine.model.Llama;
import org.sparrowmesh.decoder.engine.model.LlamaConfiguration;
import org.sparrowmesh.decoder.engine.scheduler.Scheduler;
import org.sparrowmesh.decoder.engine.scheduler.SchedulerSettings;
import org.sparrowmesh.decoder.engine.tokenizer.Tokenizer;

/**
 * Loads the configured model at start and owns it (and its scheduler) until shutdown. Without a
 * model, or when it fails to load, the service still runs: Generate and Tokenize then answer
 * FAILED_PRECONDITION with the reason, ModelInfo says loaded = false, health stays up — the mesh
 * degrades instead of dying.
 */
@ApplicationScoped
public class DecoderRuntime {

    private static final Logger LOG = Logger.getLogger(DecoderRuntime.class);
    private static final String BACKEND_KEY = "mesh.decoder.backend";

    private final DecoderConfig config;
    private final DecoderMetrics metrics;
    private volatile LoadedModel model;
    private volatile String unavailableReason = "no model loaded: start the decoder with a model (mesh up --model FILE.gguf, or MESH_MODEL)";

    public DecoderRuntime(DecoderConfig config, DecoderMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
    }

    void onStart(@Observes StartupEvent event) {
        // mesh.decoder.backend: decided before any model, so cuda without a device stops the start
        DecoderBackend.Choice backend = DecoderBackend.parse(BACKEND_KEY, config.backend())
                .resolve(BACKEND_KEY, CudaDevice::detect);
        LOG.infof("decoder backend %s: %s", backend.backend().name().toLowerCase(Locale.ROOT), backend.reason());
        Optional<String> location = config.model().filter(s -> !s.isBlank());
        if (location.isEmpty()) {
            LOG.info("no model configured (mesh.decoder.model / MESH_MODEL): Generate answers FAILED_PRECONDITION");
            return;
        }
        try {
            model = load(ModelFiles.resolve(location.get()), backend.backend());
            metrics.watch(model.scheduler());
            ModelFacts facts = model.facts();
            LOG.infof("serving %s (%s, %s, %,d parameters) on %s; context %d, up to %d sequences per step",
                    facts.file(), facts.name(), facts.quantization(), facts.parameterCount(), facts.backendDescription(),
                    model.contextSize(), facts.maxBatchSize());
        } catch (Exception e) {
            unavailableReason = "the model " + location.get() + " could not be loaded: "
                    + (e.getMessage() == null ? e.toString() : e.getMessage());
            LOG.error(unavailableReason);
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        LoadedModel loaded = model;
        model = null;
        if (loaded != null) {
            loaded.close();
        }
    }

    /** The model, if one is loaded. */
    public Optional<LoadedModel> model() {
        return Optional.ofNullable(model);
    }

    /**
     * The model for a call that needs one.
     *
     * @throws IllegalStateException (FAILED_PRECONDITION) saying why there is none
     */
    public LoadedModel requireModel() {
        LoadedModel loaded = model;
        if (loaded == null) {
            throw new IllegalStateException(unavailableReason);
        }
        return loaded;
    }

    public DecoderConfig config() {
        return config;
    }

    private LoadedModel load(Path path, DecoderBackend backend) throws Exception {
        GGUFFile gguf = GGUFFile.open(path);
        try {
            // a device uploads the file's bytes; the CPU pass reads Q8_0/Q4_0 rows interleaved (a copy)
            Llama llama = backend == DecoderBackend.CUDA ? Llama.view(gguf) : Llama.load(gguf);
            Tokenizer tokenizer = Tokenizer.fromGGUF(gguf.metadata());
            LlamaConfiguration c = llama.config();
            int context = Math.min(config.contextSize(), c.contextLength());
            KeyValuePrecision precision = KeyValuePrecision.parse("mesh.decoder.kv-type", config.kvType());
            if (backend == DecoderBackend.CUDA && precision != KeyValuePrecision.F32) {
                LOG.infof("mesh.decoder.kv-type=%s applies to the CPU backend: the CUDA backend keeps its KV cache in f32",
                        config.kvType());
                precision = KeyValuePrecision.F32;
            }
            SchedulerSettings settings = new SchedulerSettings(config.maxRunningSequences(), config.maxQueuedRequests(),
                    config.prefillChunkTokens(), (long) config.kvBudgetMb() << 20, context, precision);
            // on a device: one KV slot per sequence the scheduler may run at once
            BatchedForward pass = backend == DecoderBackend.CUDA
                    ? new CudaBatchedForward(gguf, llama, settings.stepCapacity(), settings.maxRunningSequences(), context)
                    : new ForwardPass(llama, settings.stepCapacity());
            Scheduler scheduler;
            try {
                scheduler = new Scheduler(pass, tokenizer, settings, metrics);
            } catch (RuntimeException e) {
                pass.close();
                throw e;
            }
            ChatTemplate template = ChatTemplate.of(gguf.metadata(), tokenizer);
            ModelFacts facts = new ModelFacts(gguf.metadata().findString("general.name").orElse(""),
                    path.getFileName().toString(), gguf.metadata().getString("general.architecture"),
                    parameterCount(gguf), quantization(gguf), context, c.vocabularySize(), c.embeddingLength(),
                    c.layerCount(), c.headCount(), c.keyValueHeadCount(), template.source(),
                    KernelProvider.vectorEnabled(), pass.description(), config.maxRunningSequences());
            return new LoadedModel(gguf, pass, tokenizer, template, scheduler, facts);
        } catch (Exception | Error e) {
            gguf.close();
            throw e;
        }
    }

    private static long parameterCount(GGUFFile gguf) {
        long count = 0;
        for (TensorInfo tensor : gguf.tensors().values()) {
            count += tensor.elementCount();
        }
        return count;
    }

    /** The type holding most weights of the matrices, as llama.cpp names it (Q8_0, Q4_K, F16, …). */
    private static String quantization(GGUFFile gguf) {
        Map<GgmlType, Long> elements = new HashMap<>();
        for (TensorInfo tensor : gguf.tensors().values()) {
            if (tensor.dimensions().length >= 2) {
                elements.merge(tensor.type(), tensor.elementCount(), Long::sum);
            }
        }
        return elements.entrySet().stream().max(Map.Entry.comparingByValue())
                .map(e -> e.getKey().name()).orElse("unknown");
    }
}
