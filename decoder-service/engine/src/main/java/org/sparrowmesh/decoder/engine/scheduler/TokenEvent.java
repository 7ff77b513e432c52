package org.sparrowmesh.decoder.engine.scheduler;

import org.sparrowmesh.decoder.engine.sampling.SampledToken;

/**
 * One generated token of one sample.
 *
 * @param sampleIndex 0 to sampleCount - 1
 * @param tokenId     the token
 * @param text        text that became final with this token (whole characters, never the start
 *                    of a stop string); may be empty
 * @param sampled     the token with its log-probability and alternatives when the job asked for
 *                    them, else null
 */
public record TokenEvent(int sampleIndex, int tokenId, String text, SampledToken sampled) {
}
