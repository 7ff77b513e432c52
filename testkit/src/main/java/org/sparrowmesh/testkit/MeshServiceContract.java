package org.sparrowmesh.testkit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import java.util.List;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * What every service of the mesh promises (DESIGN §3, issue #2), checked against the running
 * Quarkus app over its one port: its API listed by server reflection with exactly its rpcs, the
 * stock health and reflection services beside it, gRPC health SERVING, SmallRye Health UP, and
 * Prometheus metrics. A service's {@code @QuarkusTest} extends this and names its API.
 */
public abstract class MeshServiceContract {

    protected GrpcIntrospection grpc;

    /** e.g. {@code sparrowmesh.v1.Decoder}. */
    protected abstract String serviceName();

    /** The rpcs of {@link #serviceName()}, in proto order. */
    protected abstract List<String> rpcNames();

    /** The port the app under test listens on (gRPC and HTTP share it). */
    protected static int port() {
        return ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
    }

    @BeforeEach
    void connect() {
        grpc = new GrpcIntrospection("127.0.0.1", port());
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        grpc.close();
    }

    @Test
    void reflectionListsTheApiAndTheStandardServices() {
        // answering at all proves reflection is on (Quarkus does not list the reflection service itself)
        assertThat(grpc.services()).contains(serviceName(), "grpc.health.v1.Health");
        assertThat(grpc.methods(serviceName())).containsExactlyElementsOf(rpcNames());
    }

    @Test
    void grpcHealthSaysServing() {
        assertThat(grpc.health()).isEqualTo(ServingStatus.SERVING);
    }

    @Test
    void httpHealthAndPrometheusMetricsAreServedOnTheSamePort() {
        given().port(port()).when().get("/q/health/ready").then().statusCode(200).body(containsString("\"UP\""));
        given().port(port()).when().get("/q/metrics").then().statusCode(200)
                .body(containsString("jvm_memory_used_bytes"));
    }

    /**
     * Asserts that {@code call} fails with UNIMPLEMENTED and a message naming the issue that brings
     * the rpc: a pending rpc never answers with made-up data.
     */
    protected static void assertPending(Executable call, String rpc, int issue) {
        StatusRuntimeException failure = null;
        try {
            call.execute();
        } catch (StatusRuntimeException e) {
            failure = e;
        } catch (Throwable other) {
            throw new AssertionError(rpc + " failed with " + other + " instead of a gRPC status", other);
        }
        assertThat(failure).as("%s must fail while its issue is open", rpc).isNotNull();
        assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
        assertThat(failure.getStatus().getDescription())
                .startsWith(rpc + " is not served by this build: it arrives with issue #" + issue);
    }
}
