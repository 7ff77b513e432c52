package org.sparrowmesh.bench.decoder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.sparrowmesh.decoder.engine.gguf.GGUFFile;
import org.sparrowmesh.decoder.engine.gguf.ModelShape;
import org.sparrowmesh.decoder.engine.gguf.RandomModel;
import org.sparrowmesh.decoder.engine.gguf.TensorInfo;
import org.sparrowmesh.decoder.engine.gguf.WeightMix;
import org.sparrowmesh.decoder.engine.kernels.KernelProvider;
import org.sparrowmesh.decoder.engine.kernels.WorkerPool;
import org.sparrowmesh.decoder.engine.model.ForwardBatch;
import org.sparrowmesh.decoder.engine.model.ForwardPass;
import org.sparrowmesh.decoder.engine.model.InferenceState;
import org.sparrowmesh.decoder.engine.model.KeyValuePrecision;
import org.sparrowmesh.decoder.engine.model.Llama;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mesh bench decoder}: the decoder engine on TinyLlama-1.1B-shaped models with random
 * weights (made once with the GGUF writer, cached), against the memory-bandwidth limit measured in
 * the same run and llama.cpp's figures on this kind of machine.
 */
@Command(name = "bench decoder", mixinStandardHelpOptions = true,
        description = "Prefill and decode speed of the decoder engine on TinyLlama-shaped random models, "
                + "with the memory-bandwidth limit measured in the same run.")
public final class DecoderBench implements Callable<Integer> {

    /** llama.cpp b4747 with 2 threads on this machine kind (testdata/llama/bench.md, run A). */
    private static final Map<String, double[]> LLAMA_CPP = Map.of(
            "Q8_0", new double[] {80.31, 21.04},
            "Q4_0", new double[] {104.62, 40.42});

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--cache", defaultValue = ".mesh/bench-models", description = "Folder of the generated models (default ${DEFAULT-VALUE}).")
    Path cache;

    @Option(names = "--vocab", required = true, description = "A GGUF whose 32000-token vocabulary the models copy (ggml-vocab-llama-spm.gguf).")
    Path vocabulary;

    @Option(names = "--types", split = ",", defaultValue = "Q8_0,Q4_0", converter = MixConverter.class,
            description = "Weight types, as llama-quantize mixes them: Q8_0, Q4_0, Q4_K_M, Q5_K_M, … (default ${DEFAULT-VALUE}).")
    List<WeightMix> types;

    @Option(names = "--pure", description = "Every matrix in the named base type, output included (llama-quantize --pure).")
    boolean pure;

    @Option(names = "--runs", defaultValue = "3", description = "Timed runs per measurement, after one warm-up (default ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--prompt-tokens", defaultValue = "512", description = "Prefill prompt length (default ${DEFAULT-VALUE}).")
    int promptTokens;

    @Option(names = "--prefill-chunk", defaultValue = "64", description = "Prompt tokens per prefill step, as mesh.decoder.prefill-chunk-tokens in the decoder service (default ${DEFAULT-VALUE}).")
    int prefillChunk;

    @Option(names = "--decode-tokens", defaultValue = "32", description = "Tokens per decode measurement (default ${DEFAULT-VALUE}).")
    int decodeTokens;

    @Option(names = "--samples", split = ",", defaultValue = "1,2,4,8,16", description = "Sample counts of the batched decode (default ${DEFAULT-VALUE}).")
    List<Integer> sampleCounts;

    @Option(names = "--threads", defaultValue = "0", description = "Threads of the worker pool (default: one per core).")
    int threads;

    @Option(names = "--kv-type", defaultValue = "f32", description = "KV cache precision, f32 or f16 (default ${DEFAULT-VALUE}).")
    String kvType;

    @Option(names = "--decode-after", defaultValue = "16", description = "Prompt tokens before the decode measurements: attention reads this many positions and more (default ${DEFAULT-VALUE}).")
    int decodeAfter;

    @Option(names = "--json", description = "Print one JSON document on stdout (the table goes to stderr).")
    boolean json;

    public static void main(String[] args) {
        System.exit(new CommandLine(new DecoderBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (prefillChunk < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--prefill-chunk must be at least 1, got " + prefillChunk);
        }
        Files.createDirectories(cache);
        List<Map<String, Object>> results = new ArrayList<>();
        try (WorkerPool pool = threads > 0 ? new WorkerPool(threads) : WorkerPool.sizedToCores()) {
            double bandwidth = MemoryBandwidth.readBytesPerSecond(pool, 1L << 30, 5);
            log("kernels: %s; threads: %d; memory read bandwidth: %.2f GB/s", KernelProvider.description(),
                    pool.parallelism(), bandwidth / 1e9);
            for (WeightMix type : types) {
                results.add(measure(pure ? WeightMix.pure(type.base()) : type, pool, bandwidth));
            }
            Map<String, Object> document = new LinkedHashMap<>();
            document.put("kernels", KernelProvider.description());
            document.put("threads", pool.parallelism());
            document.put("memory_bandwidth_gb_per_s", bandwidth / 1e9);
            document.put("models", results);
            if (json) {
                System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(document));
            }
        }
        return 0;
    }

    private Map<String, Object> measure(WeightMix type, WorkerPool pool, double bandwidth) throws Exception {
        String name = type.name() + (pure ? "-pure" : "");
        Path file = cache.resolve("tinyllama-random-" + name.toLowerCase(java.util.Locale.ROOT) + ".gguf");
        RandomModel randomModel = new RandomModel(ModelShape.tinyLlama1B(), type, 1, false);
        if (!Files.exists(file) || !hasTheTypesOf(randomModel, file)) {
            log("writing %s (once) …", file);
            long start = System.nanoTime();
            Path partial = file.resolveSibling(file.getFileName() + ".partial");
            randomModel.write(partial, vocabulary);
            Files.move(partial, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            log("wrote %s in %.0f s", file, (System.nanoTime() - start) / 1e9);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        try (GGUFFile gguf = GGUFFile.open(file)) {
            Llama model = Llama.load(gguf);
            long weightBytesPerToken = weightBytesReadPerToken(gguf, model);
            // prefill feeds the prompt in chunks of the pass's capacity
            int capacity = Math.max(prefillChunk, sampleCounts.stream().mapToInt(Integer::intValue).max().orElse(1));
            try (ForwardPass pass = new ForwardPass(model, capacity, pool)) {
                int vocabulary = model.config().vocabularySize();
                SplittableRandom random = new SplittableRandom(7);
                int[] prompt = random.ints(Math.max(promptTokens, decodeAfter), 3, vocabulary).toArray();
                KeyValuePrecision precision = KeyValuePrecision.parse("--kv-type", kvType);

                double[] prefill = new double[runs];
                for (int r = -1; r < runs; r++) {
                    InferenceState state = pass.newState(promptTokens + 8, precision);
                    long start = System.nanoTime();
                    pass.prefill(state, java.util.Arrays.copyOf(prompt, promptTokens));
                    double seconds = (System.nanoTime() - start) / 1e9;
                    if (r >= 0) {
                        prefill[r] = promptTokens / seconds;
                    }
                }
                Stats prefillStats = Stats.of(prefill);

                Map<Integer, Stats> decode = new LinkedHashMap<>();
                int[] shortPrompt = java.util.Arrays.copyOf(prompt, decodeAfter);
                for (int n : sampleCounts) {
                    double[] samples = new double[runs];
                    for (int r = -1; r < runs; r++) {
                        InferenceState parent = pass.newState(decodeAfter + decodeTokens + 1, precision);
                        pass.prefill(parent, shortPrompt);
                        InferenceState[] states = new InferenceState[n];
                        for (int i = 0; i < n; i++) {
                            states[i] = parent.fork();
                        }
                        ForwardBatch batch = pass.newBatch();
                        long start = System.nanoTime();
                        for (int step = 0; step < decodeTokens; step++) {
                            batch.clear();
                            for (int i = 0; i < n; i++) {
                                batch.add(states[i], argmax(states[i].logits()), true);
                            }
                            pass.forward(batch);
                        }
                        double seconds = (System.nanoTime() - start) / 1e9;
                        if (r >= 0) {
                            samples[r] = (double) n * decodeTokens / seconds;
                        }
                    }
                    decode.put(n, Stats.of(samples));
                }

                double limit = bandwidth / weightBytesPerToken;
                // the fractions are of single-sequence decode: only printed when n = 1 was measured
                Double single = decode.containsKey(1) ? decode.get(1).median() : null;
                double[] reference = pure ? null : LLAMA_CPP.get(type.name());
                // llama.cpp's figures are pp512 and tg128 (128 tokens from an empty context): shown
                // only beside the measurements they compare with
                boolean prefillComparable = reference != null && promptTokens == 512;
                boolean decodeComparable = reference != null && decodeAfter + decodeTokens <= 128;
                log("");
                log("%s model (%.0f MiB of weights read per decode step; bandwidth limit %.1f tokens/s; %s KV cache, decode after %d tokens)", name,
                        weightBytesPerToken / 1048576.0, limit, precision.name().toLowerCase(java.util.Locale.ROOT), decodeAfter);
                log("  prefill %d tokens:           %s tokens/s%s", promptTokens, prefillStats,
                        prefillComparable ? String.format("   (llama.cpp: %.1f)", reference[0]) : "");
                for (var entry : decode.entrySet()) {
                    log("  decode, %2d sample(s):        %s tokens/s aggregate%s", entry.getKey(), entry.getValue(),
                            entry.getKey() == 1 && decodeComparable ? String.format("   (llama.cpp: %.1f)", reference[1]) : "");
                }
                if (single != null) {
                    log("  single-sequence decode = %.0f%% of the bandwidth limit; prefill / decode = %.1f×",
                            100 * single / limit, prefillStats.median() / single);
                }
                if (decode.containsKey(8) && single != null) {
                    log("  8 samples / 1 sample = %.1f×", decode.get(8).median() / single);
                }

                result.put("type", name);
                result.put("kv_type", precision.name().toLowerCase(java.util.Locale.ROOT));
                result.put("decode_after_tokens", decodeAfter);
                result.put("weight_bytes_per_token", weightBytesPerToken);
                result.put("bandwidth_limit_tokens_per_s", limit);
                result.put("prefill_tokens_per_s", prefillStats);
                result.put("decode_tokens_per_s", decode);
                if (single != null) {
                    result.put("decode_fraction_of_limit", single / limit);
                }
                if (prefillComparable || decodeComparable) {
                    Map<String, Double> comparable = new LinkedHashMap<>();
                    if (prefillComparable) {
                        comparable.put("prefill_tokens_per_s", reference[0]);
                    }
                    if (decodeComparable) {
                        comparable.put("decode_tokens_per_s", reference[1]);
                    }
                    result.put("llama_cpp", comparable);
                }
            }
        }
        return result;
    }

    /**
     * Whether a cached model was written with the types {@code random} gives each matrix: a model
     * cached before the mixes followed llama-quantize (a Q4_0 output.weight) is written again.
     */
    private static boolean hasTheTypesOf(RandomModel random, Path file) throws java.io.IOException {
        try (GGUFFile gguf = GGUFFile.open(file)) {
            return gguf.tensors().values().stream().filter(t -> t.dimensions().length == 2)
                    .allMatch(t -> t.type() == random.typeOf(t.name(), t.dimensions()[0]));
        }
    }

    /** {@code --types} names: {@link WeightMix#named}. */
    static final class MixConverter implements CommandLine.ITypeConverter<WeightMix> {
        @Override
        public WeightMix convert(String value) {
            try {
                return WeightMix.named(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage()); // the message alone, no exception class
            }
        }
    }

    /** Every matrix is read whole per decode step, except the token embedding (one row). */
    private static long weightBytesReadPerToken(GGUFFile gguf, Llama model) {
        long bytes = 0;
        for (TensorInfo tensor : gguf.tensors().values()) {
            bytes += tensor.name().equals("token_embd.weight")
                    ? tensor.byteSize() / model.config().vocabularySize()
                    : tensor.byteSize();
        }
        return bytes;
    }

    private static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    private static void log(String format, Object... args) {
        System.err.println(String.format(format, args));
    }
}
