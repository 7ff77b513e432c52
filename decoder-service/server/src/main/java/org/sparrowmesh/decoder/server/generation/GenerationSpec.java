package org.sparrowmesh.decoder.server.generation;

import java.util.List;

import org.sparrowmesh.decoder.engine.chat.Message;
import org.sparrowmesh.decoder.engine.sampling.SamplingParameters;

/**
 * A checked generation request, whichever API it came from (gRPC or the OpenAI-style HTTP API).
 *
 * @param prompt        a raw prompt, or null when {@code messages} is given
 * @param messages      a conversation to render with the chat template, or null
 * @param deadlineNanos {@link System#nanoTime()} deadline, {@link Long#MAX_VALUE} for none
 */
public record GenerationSpec(String requestId, String prompt, List<Message> messages, int sampleCount,
        SamplingParameters sampling, int maxTokens, List<String> stopStrings, boolean logProbabilities,
        int alternativeCount, long deadlineNanos) {
}
