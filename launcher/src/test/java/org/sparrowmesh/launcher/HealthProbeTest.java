package org.sparrowmesh.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HealthProbeTest {

    private final HealthProbe probe = new HealthProbe(Duration.ofSeconds(2));
    private Server server;

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.shutdownNow();
        }
    }

    @Test
    void grpcIsUnhealthyWhereNothingListens() {
        HealthProbe.Result result = probe.grpc(MeshFixture.freePort());

        assertThat(result.healthy()).isFalse();
        assertThat(result.detail()).startsWith("UNAVAILABLE");
    }

    @Test
    void grpcIsHealthyAgainstAServerWithTheStandardHealthService() throws Exception {
        int port = startHealthServer(new HealthStatusManager());

        HealthProbe.Result result = probe.grpc(port);

        assertThat(result).isEqualTo(new HealthProbe.Result(true, "SERVING"));
    }

    @Test
    void grpcIsUnhealthyWhenTheServerSaysNotServing() throws Exception {
        HealthStatusManager health = new HealthStatusManager();
        health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.NOT_SERVING);
        int port = startHealthServer(health);

        HealthProbe.Result result = probe.grpc(port);

        assertThat(result).isEqualTo(new HealthProbe.Result(false, "NOT_SERVING"));
    }

    @Test
    void grpcIsUnhealthyAgainstAServerWithoutHealthService() throws Exception {
        server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create()).build().start();

        HealthProbe.Result result = probe.grpc(server.getPort());

        assertThat(result.healthy()).isFalse();
        assertThat(result.detail()).startsWith("UNIMPLEMENTED");
    }

    @Test
    void kafkaIsUnhealthyWhereNothingListensAndSaysSoWithinTheTimeout() {
        long start = System.nanoTime();

        HealthProbe.Result result = probe.kafka(MeshFixture.freePort());

        assertThat(result.healthy()).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    private int startHealthServer(HealthStatusManager health) throws Exception {
        server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .addService(health.getHealthService())
                .build()
                .start();
        return server.getPort();
    }
}
