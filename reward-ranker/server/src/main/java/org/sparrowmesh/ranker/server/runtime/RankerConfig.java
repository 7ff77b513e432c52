package org.sparrowmesh.ranker.server.runtime;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** {@code mesh.ranker.*}: the preference model, rule penalties and blocklist, the encoder call. */
@ConfigMapping(prefix = "mesh.ranker")
public interface RankerConfig {

    /** Weights JSON written by {@code mesh train-ranker}; unset: the weights shipped in the jar. */
    Optional<Path> weights();

    /** Penalty per rule name (empty_or_degenerate, repetition_loop, unsupported_claim, claims_to_be_human, blocklist). */
    Map<String, Double> penalties();

    /** Words or phrases a candidate must not say (blocklist rule). */
    Optional<List<String>> blocklist();

    /** How long the one Embed call of a Rank call may take before scoring goes lexical-only. */
    @WithDefault("5s")
    Duration encoderTimeout();
}
