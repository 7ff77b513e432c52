package org.sparrowmesh.decoder.engine.generation;

import java.util.Optional;

/**
 * What a generation produced, and where its time went.
 *
 * @param promptTokens      the prompt as tokens (BOS included when the vocabulary adds one)
 * @param generatedTokens   the new tokens, end-of-generation token excluded
 * @param text              the generated text, cut before a matched stop string
 * @param finishReason      why it ended
 * @param matchedStopString the stop string that ended it, if one did
 * @param meanLogProbability mean natural-log probability of the generated tokens under the model
 * @param prefillNanos      time to process the prompt
 * @param decodeNanos       time to generate the new tokens
 */
public record GenerationResult(
        int[] promptTokens,
        int[] generatedTokens,
        String text,
        FinishReason finishReason,
        Optional<String> matchedStopString,
        double meanLogProbability,
        long prefillNanos,
        long decodeNanos) {

    /** Prompt tokens per second. */
    public double prefillTokensPerSecond() {
        return promptTokens.length / (prefillNanos / 1e9);
    }

    /** Generated tokens per second. */
    public double decodeTokensPerSecond() {
        return generatedTokens.length / (decodeNanos / 1e9);
    }
}
