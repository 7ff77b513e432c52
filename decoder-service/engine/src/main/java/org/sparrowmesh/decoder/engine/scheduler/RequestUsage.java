package org.sparrowmesh.decoder.engine.scheduler;

/**
 * Counts and timings of one finished request (nanoseconds).
 *
 * @param promptTokens          prompt tokens prefilled
 * @param generatedTokens       tokens generated over all samples
 * @param queueNanos            from submission to admission into the running batch
 * @param prefillNanos          from admission to the end of the prompt's last chunk
 * @param timeToFirstTokenNanos from submission to the first sampled token
 * @param totalNanos            from submission to the end of the last sample
 * @param seed                  the seed the samples used
 */
public record RequestUsage(int promptTokens, int generatedTokens, long queueNanos, long prefillNanos,
        long timeToFirstTokenNanos, long totalNanos, long seed) {

    /** Generated tokens per second after prefill, all samples together; 0 when none. */
    public double decodeTokensPerSecond() {
        long decodeNanos = totalNanos - queueNanos - prefillNanos;
        return generatedTokens == 0 || decodeNanos <= 0 ? 0 : generatedTokens * 1e9 / decodeNanos;
    }
}
