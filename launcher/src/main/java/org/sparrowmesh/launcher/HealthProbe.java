package org.sparrowmesh.launcher;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * Asks a component on 127.0.0.1 whether it is healthy: services through the standard gRPC
 * health service ({@code grpc.health.v1.Health/Check}, service ""), Kafka through an
 * AdminClient's {@code describeCluster()}. Every probe is bounded by the timeout.
 */
public final class HealthProbe {

    /** The answer of one probe; {@code detail} says what was seen, e.g. {@code SERVING}. */
    public record Result(boolean healthy, String detail) {}

    private static final String HOST = "127.0.0.1";

    private final Duration timeout;

    public HealthProbe(Duration timeout) {
        this.timeout = timeout;
    }

    public Result check(Component component) {
        return switch (component.kind()) {
            case KAFKA -> kafka(component.port());
            case SERVICE -> grpc(component.port());
        };
    }

    /** SERVING from the server-wide health status on {@code port}; anything else is unhealthy. */
    public Result grpc(int port) {
        // A fresh channel per probe: a reused one backs off after refused connections and
        // would notice a service that just came up only seconds later.
        ManagedChannel channel = Grpc.newChannelBuilderForAddress(HOST, port, InsecureChannelCredentials.create())
                .build();
        try {
            HealthCheckResponse response = HealthGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .check(HealthCheckRequest.newBuilder().setService("").build());
            HealthCheckResponse.ServingStatus status = response.getStatus();
            return new Result(status == HealthCheckResponse.ServingStatus.SERVING, status.name());
        } catch (StatusRuntimeException e) {
            // "UNAVAILABLE: io exception" alone hides the useful part: "Connection refused".
            StringBuilder detail = new StringBuilder(e.getStatus().getCode().name());
            if (e.getStatus().getDescription() != null) {
                detail.append(": ").append(e.getStatus().getDescription());
            }
            if (e.getStatus().getCause() != null && e.getStatus().getCause().getMessage() != null) {
                detail.append(" (").append(e.getStatus().getCause().getMessage()).append(')');
            }
            return new Result(false, detail.toString());
        } finally {
            channel.shutdownNow();
            try {
                channel.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Healthy when the broker on {@code port} describes its cluster within the timeout. */
    public Result kafka(int port) {
        int millis = Math.toIntExact(timeout.toMillis());
        Properties config = new Properties();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, HOST + ":" + port);
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "mesh-health-probe");
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, millis);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis);
        config.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, (long) millis);
        config.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, (long) millis);
        Admin admin = Admin.create(config);
        try {
            var cluster = admin.describeCluster(new DescribeClusterOptions().timeoutMs(millis));
            String clusterId = cluster.clusterId().get(millis + 500L, TimeUnit.MILLISECONDS);
            int brokers = cluster.nodes().get(millis + 500L, TimeUnit.MILLISECONDS).size();
            return new Result(true, "cluster " + clusterId + ", " + brokers + " broker(s)");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            return new Result(false, cause.getClass().getSimpleName() + ": " + cause.getMessage());
        } catch (TimeoutException e) {
            return new Result(false, "no answer within " + millis + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(false, "interrupted");
        } finally {
            admin.close(Duration.ZERO);
        }
    }
}
