package org.sparrowmesh.decoder.engine.scheduler;

import org.sparrowmesh.decoder.engine.model.InferenceState;
import org.sparrowmesh.decoder.engine.sampling.Sampler;
import org.sparrowmesh.decoder.engine.sampling.StopStringMatcher;
import org.sparrowmesh.decoder.engine.sampling.TokenHistory;
import org.sparrowmesh.decoder.engine.tokenizer.StreamingDetokenizer;

/** One sample of a running request: its own KV cache (a fork of the prompt's), sampler and text. */
final class SampleSequence {

    final ActiveRequest request;
    final int index;
    final InferenceState state;
    final Sampler sampler;
    final TokenHistory history;
    final StreamingDetokenizer detokenizer;
    final StopStringMatcher stops;

    /** The last sampled token, fed to the model in the next step. */
    int pendingToken;
    int tokenCount;
    double logProbabilitySum;
    boolean done;

    SampleSequence(ActiveRequest request, int index, InferenceState state, Sampler sampler, TokenHistory history,
            StreamingDetokenizer detokenizer, StopStringMatcher stops) {
        this.request = request;
        this.index = index;
        this.state = state;
        this.sampler = sampler;
        this.history = history;
        this.detokenizer = detokenizer;
        this.stops = stops;
    }

    double meanLogProbability() {
        return tokenCount == 0 ? 0 : logProbabilitySum / tokenCount;
    }
}
