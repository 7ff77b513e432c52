package org.sparrowmesh.gateway.batch;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** {@code mesh.batch.*}: the batch answerer of topic {@code mesh.questions}. */
@ConfigMapping(prefix = "mesh.batch")
public interface BatchSettings {

    /** Whether this gateway answers {@code mesh.questions} at all. */
    @WithDefault("true")
    boolean enabled();

    /**
     * Stable name of this instance; its transactional id is {@code mesh-batch-<instance-id>}, so a
     * restarted instance fences its crashed predecessor and aborts its open transaction at once.
     * Unset: a random name per start (a crashed instance's open transaction is then aborted by the
     * broker after {@link #transactionTimeout()}). Two live instances must never share one.
     */
    Optional<String> instanceId();

    /** Consumer group of every batch answerer: instances of one group share the partitions. */
    @WithDefault("gateway-batch")
    String groupId();

    /**
     * Questions answered at the same time by this instance. Each one runs one turn (two decoder
     * Generate calls with the default options), so the decoder sees at most twice this many
     * requests from this instance: keep it under the decoder's queue (mesh.decoder.max-queued-requests).
     * 4 keeps a 2-core decoder serving stories260K within the turn deadline (8 gave no more answers per second).
     */
    @WithDefault("4")
    int maxInFlight();

    /** How long finished answers may wait to be committed together in one transaction. */
    @WithDefault("100ms")
    Duration commitInterval();

    /** Broker-side limit of one transaction; an instance that died inside one is aborted after it. */
    @WithDefault("10s")
    Duration transactionTimeout();

    /** An instance that stops heartbeating (crashed) loses its partitions after this long. */
    @WithDefault("10s")
    Duration sessionTimeout();

    /** Most time one question may take; past it the question is answered with DEADLINE_EXCEEDED. */
    @WithDefault("120s")
    Duration questionTimeout();
}
