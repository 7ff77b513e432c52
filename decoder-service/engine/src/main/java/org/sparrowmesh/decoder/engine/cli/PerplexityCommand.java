package org.sparrowmesh.decoder.engine.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.sparrowmesh.decoder.engine.evaluation.Perplexity;
import org.sparrowmesh.decoder.engine.gguf.GGUFFile;
import org.sparrowmesh.decoder.engine.model.ForwardPass;
import org.sparrowmesh.decoder.engine.model.Llama;
import org.sparrowmesh.decoder.engine.tokenizer.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mesh perplexity}: mean NLL and perplexity of a text file under a model. */
@Command(name = "perplexity", mixinStandardHelpOptions = true,
        description = "Prints the mean negative log-likelihood (natural log) and perplexity of a UTF-8 text file. "
                + "The text is tokenized with BOS and scored in windows of --ctx-size tokens, each starting with BOS.")
final class PerplexityCommand implements Callable<Integer> {

    @Option(names = {"-m", "--model"}, required = true, description = "The GGUF model file.")
    Path model;

    @Option(names = {"-f", "--file"}, required = true, description = "The UTF-8 text to score.")
    Path file;

    @Option(names = {"-c", "--ctx-size"}, description = "Window size in tokens (default: the model's context length).")
    Integer contextSize;

    @Override
    public Integer call() throws Exception {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        try (GGUFFile gguf = GGUFFile.open(model)) {
            Llama llama = Llama.load(gguf);
            int[] tokens = Tokenizer.fromGGUF(gguf.metadata()).encode(text, true, false);
            int window = contextSize != null ? contextSize : llama.config().contextLength();
            Perplexity.Result result;
            try (ForwardPass pass = new ForwardPass(llama, 1)) {
                result = Perplexity.of(pass, tokens, window);
            }
            System.out.printf("tokens: %d (%d scored)%nmean NLL: %.6f%nperplexity: %.6f%n",
                    tokens.length, result.predictions(), result.meanNegativeLogLikelihood(), result.perplexity());
        }
        return 0;
    }
}
