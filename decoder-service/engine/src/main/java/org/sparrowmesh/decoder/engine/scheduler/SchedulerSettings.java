package org.sparrowmesh.decoder.engine.scheduler;

import java.util.Objects;

import org.sparrowmesh.decoder.engine.model.KeyValuePrecision;

/**
 * Limits of a {@link Scheduler}.
 *
 * @param maxRunningSequences  most sequences (samples of all requests) decoding together
 * @param maxQueuedRequests    most requests waiting to start; one more is rejected at once
 * @param prefillChunkTokens   most prompt tokens fed in one step, so a long prompt is spread over
 *                             several steps and running samples keep getting tokens in between
 * @param keyValueBudgetBytes  KV-cache memory all admitted requests may reserve together
 * @param contextSize          positions per sequence (prompt + generated), at most the model's
 * @param keyValuePrecision    how KV caches store keys and values
 */
public record SchedulerSettings(int maxRunningSequences, int maxQueuedRequests, int prefillChunkTokens,
        long keyValueBudgetBytes, int contextSize, KeyValuePrecision keyValuePrecision) {

    public SchedulerSettings {
        require(maxRunningSequences >= 1, "max running sequences must be at least 1, got " + maxRunningSequences);
        require(maxQueuedRequests >= 0, "max queued requests must be >= 0, got " + maxQueuedRequests);
        require(prefillChunkTokens >= 1, "prefill chunk must be at least 1 token, got " + prefillChunkTokens);
        require(keyValueBudgetBytes >= 1, "KV budget must be at least 1 byte, got " + keyValueBudgetBytes);
        require(contextSize >= 2, "context size must be at least 2, got " + contextSize);
        Objects.requireNonNull(keyValuePrecision, "keyValuePrecision");
    }

    /** Tokens one forward step may hold: every running sequence plus one prefill chunk. */
    public int stepCapacity() {
        return maxRunningSequences + prefillChunkTokens;
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
