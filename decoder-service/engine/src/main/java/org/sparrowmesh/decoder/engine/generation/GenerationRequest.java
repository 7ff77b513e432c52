package org.sparrowmesh.decoder.engine.generation;

import java.util.List;

import org.sparrowmesh.decoder.engine.model.KeyValuePrecision;
import org.sparrowmesh.decoder.engine.sampling.SamplingParameters;

/**
 * What to generate.
 *
 * @param prompt             the raw prompt text (no chat template is applied here)
 * @param maxTokens          most new tokens, ≥ 1
 * @param sampling           sampler settings (temperature 0 = greedy)
 * @param stopStrings        generation ends when one of them is completed (may be empty)
 * @param contextSize        positions of the KV cache: prompt + new tokens must fit
 * @param parseSpecialTokens whether texts like {@code <s>} in the prompt are special tokens (as
 *                           llama-cli does) or plain text (what a chat service must do with user text)
 * @param keyValuePrecision  how the KV cache stores keys and values
 */
public record GenerationRequest(
        String prompt,
        int maxTokens,
        SamplingParameters sampling,
        List<String> stopStrings,
        int contextSize,
        boolean parseSpecialTokens,
        KeyValuePrecision keyValuePrecision) {

    public GenerationRequest {
        if (prompt == null) {
            throw new IllegalArgumentException("prompt must not be null");
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("max tokens must be at least 1, got " + maxTokens);
        }
        if (contextSize < 1) {
            throw new IllegalArgumentException("context size must be at least 1, got " + contextSize);
        }
        stopStrings = List.copyOf(stopStrings);
        java.util.Objects.requireNonNull(keyValuePrecision, "keyValuePrecision");
    }

    /** With an F32 KV cache. */
    public GenerationRequest(String prompt, int maxTokens, SamplingParameters sampling, List<String> stopStrings,
            int contextSize, boolean parseSpecialTokens) {
        this(prompt, maxTokens, sampling, stopStrings, contextSize, parseSpecialTokens, KeyValuePrecision.F32);
    }
}
