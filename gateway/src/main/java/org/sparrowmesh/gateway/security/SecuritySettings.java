package org.sparrowmesh.gateway.security;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** {@code mesh.security.*}: API keys, per-key rate limit and the concurrent-turn limit of the gateway. */
@ConfigMapping(prefix = "mesh.security")
public interface SecuritySettings {

    /** API-key authentication of every gRPC call and HTTP request but the page's files and /q/health. */
    @WithDefault("false")
    boolean apiKeysEnabled();

    /** Keys given inline (comma-separated). */
    Optional<List<String>> apiKeys();

    /** A mounted secret: one key per line, {@code #} comments and blank lines ignored. */
    Optional<String> apiKeysFile();

    /** Requests (gRPC calls, HTTP requests) per key per minute; 0 = no limit. */
    @WithDefault("0")
    int rateLimitPerMinute();

    /** How many requests a key may send at once before the per-minute rate applies. */
    @WithDefault("10")
    int rateLimitBurst();

    /**
     * Turns running at once over gRPC and the web page together; one more is refused. Above
     * {@code mesh bench mesh}'s 200 streams: the decoder's own queue sheds load first.
     */
    @WithDefault("256")
    int maxConcurrentTurns();

    /** The retry hint given when the concurrent-turn limit refuses a turn. */
    @WithDefault("1s")
    Duration busyRetryAfter();
}
