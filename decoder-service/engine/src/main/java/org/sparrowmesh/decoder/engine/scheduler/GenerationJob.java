package org.sparrowmesh.decoder.engine.scheduler;

import java.util.List;
import java.util.Objects;

import org.sparrowmesh.decoder.engine.sampling.SamplingParameters;

/**
 * One request to the {@link Scheduler}: a tokenized prompt and how to continue it {@code
 * sampleCount} times. The prompt is prefilled once; every sample forks its KV cache.
 *
 * @param requestId        the caller's id, for logs
 * @param promptTokens     the prompt, BOS included when the model wants one; at least one token
 * @param sampleCount      samples sharing the prompt, at least 1
 * @param sampling         sampling of every sample; sample i draws from its own stream (see
 *                         {@link org.sparrowmesh.decoder.engine.sampling.Sampler#sampleSeed})
 * @param maxTokens        most tokens generated per sample (an end-of-generation token included)
 * @param stopStrings      texts that end a sample; not part of its text
 * @param logProbabilities whether token events carry the sampled token's log-probability record
 * @param alternativeCount how many most likely alternatives to report per token (needs
 *                         {@code logProbabilities})
 * @param deadlineNanos    {@link System#nanoTime()} after which the request is over (see
 *                         {@link GenerationListener#onFailed} and
 *                         {@link org.sparrowmesh.decoder.engine.generation.FinishReason#DEADLINE});
 *                         {@link Long#MAX_VALUE} for none
 * @param listener         receives the request's events, on the scheduler thread
 */
public record GenerationJob(
        String requestId,
        int[] promptTokens,
        int sampleCount,
        SamplingParameters sampling,
        int maxTokens,
        List<String> stopStrings,
        boolean logProbabilities,
        int alternativeCount,
        long deadlineNanos,
        GenerationListener listener) {

    public GenerationJob {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(sampling, "sampling");
        Objects.requireNonNull(listener, "listener");
        if (promptTokens == null || promptTokens.length == 0) {
            throw new IllegalArgumentException("prompt: the prompt has no tokens");
        }
        if (sampleCount < 1) {
            throw new IllegalArgumentException("sample_count must be at least 1, got " + sampleCount);
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("max_tokens must be at least 1, got " + maxTokens);
        }
        if (alternativeCount < 0 || (alternativeCount > 0 && !logProbabilities)) {
            throw new IllegalArgumentException("top_alternative_count needs return_log_probabilities and must be >= 0, got "
                    + alternativeCount);
        }
        stopStrings = List.copyOf(stopStrings);
    }
}
