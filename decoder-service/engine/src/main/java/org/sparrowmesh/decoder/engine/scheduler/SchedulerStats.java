package org.sparrowmesh.decoder.engine.scheduler;

/**
 * A snapshot of a {@link Scheduler}.
 *
 * @param queuedRequests        requests waiting to start
 * @param runningRequests       requests admitted (prefilling or decoding)
 * @param runningSequences      samples decoding
 * @param keyValueReservedBytes KV memory reserved by admitted requests
 * @param keyValueBudgetBytes   the budget
 * @param rejectedRequests      requests refused since start (queue full, too large for the budget)
 * @param steps                 forward steps since start
 * @param generatedTokens       tokens generated since start
 */
public record SchedulerStats(int queuedRequests, int runningRequests, int runningSequences,
        long keyValueReservedBytes, long keyValueBudgetBytes, long rejectedRequests, long steps,
        long generatedTokens) {
}
