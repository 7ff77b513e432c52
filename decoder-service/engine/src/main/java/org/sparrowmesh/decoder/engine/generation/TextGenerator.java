package org.sparrowmesh.decoder.engine.generation;

import java.util.Arrays;
import java.util.function.Consumer;

import org.sparrowmesh.decoder.engine.model.ForwardPass;
import org.sparrowmesh.decoder.engine.model.InferenceState;
import org.sparrowmesh.decoder.engine.sampling.Sampler;
import org.sparrowmesh.decoder.engine.sampling.StopStringMatcher;
import org.sparrowmesh.decoder.engine.sampling.TokenHistory;
import org.sparrowmesh.decoder.engine.tokenizer.StreamingDetokenizer;
import org.sparrowmesh.decoder.engine.tokenizer.Tokenizer;

/**
 * The decode loop of one sequence: tokenize the prompt, prefill it, then sample, detokenize and
 * check stop conditions token by token, handing out text as soon as it is safe to show (whole
 * UTF-8 characters, never the first half of a stop string).
 */
public final class TextGenerator {

    private final ForwardPass model;
    private final Tokenizer tokenizer;

    public TextGenerator(ForwardPass model, Tokenizer tokenizer) {
        this.model = model;
        this.tokenizer = tokenizer;
    }

    public ForwardPass model() {
        return model;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /**
     * Generates for {@code request}, passing each piece of text to {@code onText} as it becomes
     * final; returns the whole result when done.
     *
     * @throws IllegalArgumentException when the prompt does not leave room for one new token
     */
    public GenerationResult generate(GenerationRequest request, Consumer<String> onText) {
        int[] prompt = tokenizer.encode(request.prompt(), true, request.parseSpecialTokens());
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt is empty and the vocabulary adds no BOS token");
        }
        if (prompt.length >= request.contextSize()) {
            throw new IllegalArgumentException("the prompt has " + prompt.length + " tokens; the context holds "
                    + request.contextSize() + " and needs room for at least one new token");
        }
        InferenceState state = model.newState(request.contextSize(), request.keyValuePrecision());
        state.cache().reserve(prompt.length + request.maxTokens());
        Sampler sampler = new Sampler(request.sampling(), model.model().config().vocabularySize());
        TokenHistory history = TokenHistory.of(prompt);
        StreamingDetokenizer detokenizer = StreamingDetokenizer.continuing(tokenizer);
        StopStringMatcher stops = new StopStringMatcher(request.stopStrings());

        long start = System.nanoTime();
        float[] logits = model.prefill(state, prompt);
        long prefillEnd = System.nanoTime();

        int[] generated = new int[request.maxTokens()];
        int count = 0;
        double logProbabilitySum = 0;
        FinishReason reason = FinishReason.LENGTH;
        while (count < request.maxTokens()) {
            int token = sampler.sample(logits, history);
            if (tokenizer.isEndOfGeneration(token)) {
                reason = FinishReason.END_OF_GENERATION;
                break;
            }
            logProbabilitySum += sampler.lastLogProbability();
            generated[count++] = token;
            history.add(token);
            emit(onText, stops.append(detokenizer.accept(token)));
            if (stops.stopped()) {
                reason = FinishReason.STOP_STRING;
                break;
            }
            if (count == request.maxTokens()) {
                break;
            }
            if (state.position() >= state.contextSize()) {
                reason = FinishReason.CONTEXT_FULL;
                break;
            }
            logits = model.forward(state, token);
        }
        if (!stops.stopped()) {
            // a character cut off by the end comes out as U+FFFD, which may still complete a stop string
            emit(onText, stops.append(detokenizer.flush()));
            if (stops.stopped()) {
                reason = FinishReason.STOP_STRING;
            }
            emit(onText, stops.finish());
        }
        long end = System.nanoTime();
        return new GenerationResult(prompt, Arrays.copyOf(generated, count), stops.text(), reason,
                stops.matchedStopString(), count == 0 ? 0 : logProbabilitySum / count,
                prefillEnd - start, end - prefillEnd);
    }

    private static void emit(Consumer<String> onText, String text) {
        if (!text.isEmpty()) {
            onText.accept(text);
        }
    }
}
