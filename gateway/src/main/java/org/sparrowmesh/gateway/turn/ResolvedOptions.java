package org.sparrowmesh.gateway.turn;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import org.sparrowmesh.proto.v1.SearchMode;
import org.sparrowmesh.proto.v1.TurnOptions;

/** A turn's options with the gateway's defaults filled in, checked against chat.proto's ranges. */
public record ResolvedOptions(int samplesWithoutEvidence, int samplesWithEvidence, int maxTokens, float temperature,
        long seed, int searchResultCount, SearchMode searchMode, Duration deadline, boolean streamDeltas,
        int snippetCandidates) {

    public static ResolvedOptions of(TurnOptions o, TurnSettings settings) {
        int without = o.hasSamplesWithoutEvidence() ? o.getSamplesWithoutEvidence() : settings.samplesWithoutEvidence();
        require(without >= 0 && without <= 16, "options.samples_without_evidence must be within [0, 16], got " + without);
        int with = o.hasSamplesWithEvidence() ? o.getSamplesWithEvidence() : settings.samplesWithEvidence();
        require(with >= 0 && with <= 16, "options.samples_with_evidence must be within [0, 16], got " + with);
        int maxTokens = o.hasMaxTokens() ? o.getMaxTokens() : settings.maxTokens();
        require(maxTokens >= 1 && maxTokens <= 2048, "options.max_tokens must be within [1, 2048], got " + maxTokens);
        float temperature = o.hasTemperature() ? o.getTemperature() : settings.temperature();
        require(temperature >= 0 && temperature <= 2, "options.temperature must be within [0, 2], got " + temperature);
        int search = o.hasSearchResultCount() ? o.getSearchResultCount() : settings.searchResultCount();
        require(search >= 0 && search <= 20, "options.search_result_count must be within [0, 20], got " + search);
        Duration deadline = settings.deadline();
        if (o.hasDeadline()) {
            deadline = Duration.ofSeconds(o.getDeadline().getSeconds(), o.getDeadline().getNanos());
            require(!deadline.isNegative() && !deadline.isZero() && deadline.compareTo(Duration.ofSeconds(300)) <= 0,
                    "options.deadline must be above 0 and at most 300 seconds");
        }
        int snippets = o.hasSnippetCandidateCount() ? o.getSnippetCandidateCount() : search;
        require(snippets >= 0 && snippets <= 20, "options.snippet_candidate_count must be within [0, 20], got " + snippets);
        require(without + with > 0 || (search > 0 && snippets > 0),
                "options: no samples and no search — the turn could produce no candidate");
        long seed = o.hasSeed() ? o.getSeed() : ThreadLocalRandom.current().nextLong();
        boolean deltas = !o.hasStreamCandidateDeltas() || o.getStreamCandidateDeltas();
        return new ResolvedOptions(without, with, maxTokens, temperature, seed, search, o.getSearchMode(), deadline, deltas,
                snippets);
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
