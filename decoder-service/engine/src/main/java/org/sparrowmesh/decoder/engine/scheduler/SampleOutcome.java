package org.sparrowmesh.decoder.engine.scheduler;

import org.sparrowmesh.decoder.engine.generation.FinishReason;

/**
 * How one sample ended.
 *
 * @param sampleIndex         0 to sampleCount - 1
 * @param finishReason        why it ended
 * @param text                its whole text (no end-of-generation token, no stop string)
 * @param tokenCount          tokens generated, a final end-of-generation token included
 * @param meanLogProbability  mean natural-log probability of those tokens under the unmodified
 *                            distribution; 0 when none
 * @param matchedStopString   the stop string that ended it, or empty
 * @param errorMessage        what failed, for {@link FinishReason#ERROR}; else empty
 */
public record SampleOutcome(int sampleIndex, FinishReason finishReason, String text, int tokenCount,
        double meanLogProbability, String matchedStopString, String errorMessage) {
}
