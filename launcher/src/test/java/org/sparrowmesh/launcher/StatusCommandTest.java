package org.sparrowmesh.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.protobuf.services.HealthStatusManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatusCommandTest {

    @TempDir
    Path root;

    MeshFixture mesh;

    @BeforeEach
    void setUp() {
        mesh = new MeshFixture(root);
    }

    @AfterEach
    void tearDown() {
        mesh.close();
    }

    @Test
    void jsonListsEveryComponentAsStoppedWithNullPidWhenNothingRuns() throws Exception {
        MeshFixture.Run run = mesh.run("status", "--json");

        assertThat(run.exitCode()).isZero();
        assertThat(run.err()).isEmpty();
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertThat(json.isArray()).isTrue();
        List<String> names = new ArrayList<>();
        for (JsonNode entry : json) {
            names.add(entry.get("name").asText());
            assertThat(entry.get("state").asText()).isEqualTo("stopped");
            assertThat(entry.has("pid")).isTrue();
            assertThat(entry.get("pid").isNull()).isTrue();
            assertThat(entry.get("port").asInt()).isEqualTo(mesh.port(entry.get("name").asText()));
            assertThat(entry.properties()).extracting(java.util.Map.Entry::getKey)
                    .containsExactly("name", "port", "pid", "state");
        }
        assertThat(names).containsExactly("kafka", "gateway", "decoder", "encoder", "retrieval", "ranker");
    }

    @Test
    void tableHasAHeaderAndOneLinePerComponent() {
        MeshFixture.Run run = mesh.run("status");

        assertThat(run.exitCode()).isZero();
        List<String> lines = run.out().lines().toList();
        assertThat(lines).hasSize(7);
        assertThat(lines.getFirst()).startsWith("COMPONENT").contains("PORT", "PID", "STATE", "LOG");
        assertThat(lines.get(2)).startsWith("gateway").contains(Integer.toString(mesh.port("gateway")), "stopped");
    }

    @Test
    void ourLiveProcessIsRunningWhenHealthyAndUnhealthyWhenNot() throws Exception {
        Component gateway = mesh.config().component("gateway");
        Component decoder = mesh.config().component("decoder");
        Process gatewayStandIn = mesh.standIn(gateway);
        Process decoderStandIn = mesh.standIn(decoder);
        mesh.writePid("gateway", gatewayStandIn.pid());
        mesh.writePid("decoder", decoderStandIn.pid());
        // Only the gateway's port answers the health check.
        Server server = Grpc.newServerBuilderForPort(gateway.port(), InsecureServerCredentials.create())
                .addService(new HealthStatusManager().getHealthService())
                .build()
                .start();
        try {
            JsonNode json = new ObjectMapper().readTree(mesh.run("status", "--json").out());

            assertThat(json.get(1).get("name").asText()).isEqualTo("gateway");
            assertThat(json.get(1).get("state").asText()).isEqualTo("running");
            assertThat(json.get(1).get("pid").asLong()).isEqualTo(gatewayStandIn.pid());
            assertThat(json.get(2).get("name").asText()).isEqualTo("decoder");
            assertThat(json.get(2).get("state").asText()).isEqualTo("unhealthy");
            assertThat(json.get(2).get("pid").asLong()).isEqualTo(decoderStandIn.pid());
            assertThat(json.get(0).get("state").asText()).isEqualTo("stopped");
        } finally {
            server.shutdownNow();
        }
    }

    @Test
    void aPidFileOfSomebodyElsesProcessReadsAsStopped() throws Exception {
        Process sleeper = mesh.sleeper();
        mesh.writePid("ranker", sleeper.pid());

        JsonNode json = new ObjectMapper().readTree(mesh.run("status", "--json").out());

        assertThat(json.get(5).get("name").asText()).isEqualTo("ranker");
        assertThat(json.get(5).get("state").asText()).isEqualTo("stopped");
        assertThat(json.get(5).get("pid").isNull()).isTrue();
    }
}
