package org.sparrowmesh.decoder.engine.cli;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;

import org.sparrowmesh.decoder.engine.generation.GenerationRequest;
import org.sparrowmesh.decoder.engine.generation.GenerationResult;
import org.sparrowmesh.decoder.engine.generation.TextGenerator;
import org.sparrowmesh.decoder.engine.gguf.GGUFFile;
import org.sparrowmesh.decoder.engine.model.ForwardPass;
import org.sparrowmesh.decoder.engine.model.KeyValuePrecision;
import org.sparrowmesh.decoder.engine.model.Llama;
import org.sparrowmesh.decoder.engine.sampling.SamplingParameters;
import org.sparrowmesh.decoder.engine.tokenizer.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code mesh generate}: the generated text on stdout as it is produced — exactly the text, so it
 * can be piped and compared — and the statistics on stderr.
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generates text from a raw prompt with a GGUF model (llama architecture). "
                + "stdout: the generated text only; stderr: token counts and speed.")
final class GenerateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, description = "The GGUF model file.")
    Path model;

    @Option(names = {"-p", "--prompt"}, required = true, description = "The prompt (raw text, no chat template).")
    String prompt;

    @Option(names = {"-n", "--max-tokens"}, defaultValue = "64", description = "Most new tokens (default ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--temp", defaultValue = "0.8", description = "Temperature; 0 = greedy (default ${DEFAULT-VALUE}).")
    float temperature;

    @Option(names = "--top-k", defaultValue = "40", description = "Top-k, 0 = off (default ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--top-p", defaultValue = "0.95", description = "Top-p (nucleus), 1 = off (default ${DEFAULT-VALUE}).")
    float topP;

    @Option(names = "--min-p", defaultValue = "0.05", description = "Min-p, 0 = off (default ${DEFAULT-VALUE}).")
    float minP;

    @Option(names = "--repeat-penalty", defaultValue = "1.0", description = "Repetition penalty, 1 = off (default ${DEFAULT-VALUE}).")
    float repetitionPenalty;

    @Option(names = "--repeat-last-n", defaultValue = "64", description = "Tokens the penalty looks back at (default ${DEFAULT-VALUE}).")
    int repetitionWindow;

    @Option(names = {"-s", "--seed"}, description = "Random seed (default: a random one, printed on stderr).")
    Long seed;

    @Option(names = "--stop", description = "A stop string (repeatable).")
    List<String> stopStrings = new ArrayList<>();

    @Option(names = {"-c", "--ctx-size"}, description = "Context size in tokens (default: the model's, at most 4096).")
    Integer contextSize;

    @Option(names = "--kv-type", defaultValue = "f32",
            description = "KV cache storage: f32 or f16 (half the memory) (default ${DEFAULT-VALUE}).")
    String keyValueType;

    @Option(names = "--tokens", description = "Print the generated token ids (one line, space-separated) instead of the text.")
    boolean printTokens;

    @Option(names = "--no-parse-special", description = "Treat texts like <s> in the prompt as plain text.")
    boolean noParseSpecial;

    @Override
    public Integer call() throws Exception {
        long usedSeed = seed != null ? seed : ThreadLocalRandom.current().nextLong();
        SamplingParameters sampling = SamplingParameters.builder()
                .temperature(temperature).topK(topK).topP(topP).minP(minP)
                .repetitionPenalty(repetitionPenalty).repetitionWindow(repetitionWindow)
                .seed(usedSeed).build();
        // UTF-8 whatever the platform's console encoding, so the text can be compared byte for byte
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
        long loadStart = System.nanoTime();
        try (GGUFFile gguf = GGUFFile.open(model);
                ForwardPass pass = new ForwardPass(Llama.load(gguf), 64)) {
            Llama llama = pass.model();
            Tokenizer tokenizer = Tokenizer.fromGGUF(gguf.metadata());
            int context = contextSize != null ? contextSize : Math.min(4096, llama.config().contextLength());
            long loaded = System.nanoTime();
            TextGenerator generator = new TextGenerator(pass, tokenizer);
            KeyValuePrecision precision = switch (keyValueType.toLowerCase(java.util.Locale.ROOT)) {
                case "f32" -> KeyValuePrecision.F32;
                case "f16" -> KeyValuePrecision.F16;
                default -> throw new IllegalArgumentException("--kv-type must be f32 or f16, got " + keyValueType);
            };
            GenerationRequest request = new GenerationRequest(prompt, maxTokens, sampling, stopStrings, context,
                    !noParseSpecial, precision);
            GenerationResult result = generator.generate(request, text -> {
                if (!printTokens) {
                    out.print(text);
                    out.flush();
                }
            });
            if (printTokens) {
                StringBuilder ids = new StringBuilder();
                for (int id : result.generatedTokens()) {
                    ids.append(ids.isEmpty() ? "" : " ").append(id);
                }
                out.println(ids);
            }
            out.flush();
            err.printf("%nmodel: %s (%s, loaded in %.0f ms); seed %d%n", model.getFileName(),
                    gguf.metadata().findString("general.name").orElse("unnamed"), (loaded - loadStart) / 1e6, usedSeed);
            err.printf("prompt: %d tokens, %.1f tokens/s; generated: %d tokens, %.1f tokens/s; finish: %s%n",
                    result.promptTokens().length, result.prefillTokensPerSecond(),
                    result.generatedTokens().length, result.decodeTokensPerSecond(),
                    result.finishReason().name().toLowerCase(java.util.Locale.ROOT));
        }
        return 0;
    }
}
