package org.sparrowmesh.decoder.engine.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;

import org.junit.jupiter.api.Test;
import org.sparrowmesh.decoder.engine.ReferenceData;
import org.sparrowmesh.decoder.engine.SharedTestData;
import org.sparrowmesh.decoder.engine.gguf.GGUFFile;
import org.sparrowmesh.decoder.engine.model.ForwardPass;
import org.sparrowmesh.decoder.engine.model.Llama;
import org.sparrowmesh.decoder.engine.tokenizer.Tokenizer;

class PerplexityTest {

    @Test
    void wholeTextInOneWindowAgreesWithLlamaCppWithinHalfAPercent() throws Exception {
        double expected = ReferenceData.json("perplexity.json").findValue("mean_nll").asDouble();
        try (GGUFFile gguf = GGUFFile.open(SharedTestData.stories260K())) {
            ForwardPass model = new ForwardPass(Llama.load(gguf), 1);
            String text = Files.readString(SharedTestData.llama().resolve("ppl_text.txt"));
            int[] tokens = Tokenizer.fromGGUF(gguf.metadata()).encode(text, true, false);
            assertThat(tokens).hasSize(386);

            Perplexity.Result result = Perplexity.of(model, tokens, 512);

            assertThat(result.predictions()).isEqualTo(385);
            System.out.printf("ppl_text.txt in one window: mean NLL %.8f (llama.cpp %.8f, %.4f%% apart), PPL %.6f%n",
                    result.meanNegativeLogLikelihood(), expected,
                    100 * Math.abs(result.meanNegativeLogLikelihood() - expected) / expected, result.perplexity());
            assertThat(result.meanNegativeLogLikelihood()).isCloseTo(expected, org.assertj.core.data.Percentage.withPercentage(0.5));
        }
    }

    @Test
    void windowsSmallerThanTheTextScoreEveryTokenOnce() throws Exception {
        try (GGUFFile gguf = GGUFFile.open(SharedTestData.stories260K())) {
            ForwardPass model = new ForwardPass(Llama.load(gguf), 1);
            int[] tokens = Tokenizer.fromGGUF(gguf.metadata()).encode("Once upon a time, there was a little girl named Lily.", true, false);
            Perplexity.Result windows = Perplexity.of(model, tokens, 4);
            Perplexity.Result whole = Perplexity.of(model, tokens, 512);
            assertThat(windows.predictions()).isEqualTo(tokens.length - 1).isEqualTo(whole.predictions());
            // less context per prediction: the model is less sure
            assertThat(windows.meanNegativeLogLikelihood()).isGreaterThan(whole.meanNegativeLogLikelihood());
        }
    }
}
