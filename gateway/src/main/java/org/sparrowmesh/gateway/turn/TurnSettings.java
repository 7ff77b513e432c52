package org.sparrowmesh.gateway.turn;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** {@code mesh.turn.*}: the defaults of a turn's options and the stage deadlines. */
@ConfigMapping(prefix = "mesh.turn")
public interface TurnSettings {

    @WithDefault("2")
    int samplesWithoutEvidence();

    @WithDefault("2")
    int samplesWithEvidence();

    @WithDefault("256")
    int maxTokens();

    @WithDefault("0.8")
    float temperature();

    @WithDefault("5")
    int searchResultCount();

    /** Budget of a whole turn when the turn does not set one. */
    @WithDefault("30s")
    Duration deadline();

    /** Budget of the search stage. */
    @WithDefault("5s")
    Duration searchTimeout();

    /** Budget of the rank stage. */
    @WithDefault("5s")
    Duration rankTimeout();

    /** The system message every prompt starts with. */
    @WithDefault("You are Sparrow, a helpful, correct and harmless assistant. Answer briefly.")
    String systemPrompt();

    /** Turns kept per conversation (user + assistant message pairs). */
    @WithDefault("8")
    int historyTurns();

    /** Conversations kept; the least recently used goes first. */
    @WithDefault("10000")
    int maxConversations();

    /** A conversation idle this long is forgotten. */
    @WithDefault("1h")
    Duration conversationTtl();
}
