package org.sparrowmesh.decoder.engine.generation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sparrowmesh.decoder.engine.ReferenceData;
import org.sparrowmesh.decoder.engine.SharedTestData;
import org.sparrowmesh.decoder.engine.gguf.GGUFFile;
import org.sparrowmesh.decoder.engine.model.ForwardPass;
import org.sparrowmesh.decoder.engine.model.Llama;
import org.sparrowmesh.decoder.engine.sampling.SamplingParameters;
import org.sparrowmesh.decoder.engine.tokenizer.Tokenizer;

/** Text in, text out: tokenizer, model, sampler and detokenizer together against llama.cpp. */
class TextGeneratorTest {

    private static GGUFFile gguf;
    private static TextGenerator generator;

    @BeforeAll
    static void load() throws Exception {
        gguf = GGUFFile.open(SharedTestData.stories260K());
        generator = new TextGenerator(new ForwardPass(Llama.load(gguf), 8), Tokenizer.fromGGUF(gguf.metadata()));
    }

    @AfterAll
    static void close() {
        generator.model().close();
        gguf.close();
    }

    @Test
    void greedyTextFromThePromptStringEqualsLlamaCppsForEveryReferencePrompt() {
        for (JsonNode reference : ReferenceData.jsonLines("greedy.jsonl")) {
            StringBuilder streamed = new StringBuilder();
            GenerationResult result = generator.generate(greedy(reference.get("prompt").asText(), 64, List.of()),
                    streamed::append);
            String prompt = reference.get("prompt").asText();
            assertThat(result.promptTokens()).as("prompt tokens of %s", prompt)
                    .containsExactly(ReferenceData.ints(reference.get("prompt_token_ids")));
            assertThat(result.generatedTokens()).as("tokens after %s", prompt)
                    .containsExactly(ReferenceData.ints(reference.get("generated_token_ids")));
            assertThat(result.text()).isEqualTo(reference.get("generated_text").asText());
            assertThat(streamed.toString()).isEqualTo(result.text());
            assertThat(result.finishReason()).isEqualTo(FinishReason.LENGTH);
            assertThat(result.meanLogProbability()).isNegative();
        }
    }

    @Test
    void aStopStringEndsTheTextWhereItBeginsAndIsNeverStreamed() {
        StringBuilder streamed = new StringBuilder();
        GenerationResult result = generator.generate(greedy("Once upon a time", 64, List.of("girl named")), streamed::append);
        assertThat(result.text()).isEqualTo(", there was a little ");
        assertThat(streamed.toString()).isEqualTo(result.text());
        assertThat(result.finishReason()).isEqualTo(FinishReason.STOP_STRING);
        assertThat(result.matchedStopString()).contains("girl named");
    }

    @Test
    void theSameSeedGivesTheSameSampledTextAndAnotherSeedUsuallyNot() {
        SamplingParameters sampling = SamplingParameters.builder().temperature(1.0f).seed(42).build();
        GenerationRequest request = new GenerationRequest("Once upon a time", 48, sampling, List.of(), 512, true);
        String first = generator.generate(request, text -> { }).text();
        String again = generator.generate(request, text -> { }).text();
        GenerationRequest other = new GenerationRequest("Once upon a time", 48, sampling.withSeed(43), List.of(), 512, true);
        assertThat(again).isEqualTo(first);
        assertThat(generator.generate(other, text -> { }).text()).isNotEqualTo(first);
    }

    @Test
    void aPromptThatFillsTheContextIsRefusedWithItsLength() {
        assertThatThrownBy(() -> generator.generate(new GenerationRequest("Once upon a time", 8,
                SamplingParameters.greedy(), List.of(), 5, true), text -> { }))
                .hasMessage("the prompt has 5 tokens; the context holds 5 and needs room for at least one new token");
    }

    @Test
    void generationStopsWhenTheContextIsFull() {
        GenerationResult result = generator.generate(new GenerationRequest("Once upon a time", 64,
                SamplingParameters.greedy(), List.of(), 8, true), text -> { });
        assertThat(result.finishReason()).isEqualTo(FinishReason.CONTEXT_FULL);
        assertThat(result.promptTokens().length + result.generatedTokens().length).isEqualTo(9);
    }

    private static GenerationRequest greedy(String prompt, int maxTokens, List<String> stops) {
        return new GenerationRequest(prompt, maxTokens, SamplingParameters.greedy(), stops, 512, true);
    }
}
