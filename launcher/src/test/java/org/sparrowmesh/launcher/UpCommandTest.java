package org.sparrowmesh.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The refusals of `up`; none of these tests gets as far as starting a process. */
class UpCommandTest {

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
    void refusesWhenAPortIsTakenNamingThePortAndTheComponent() throws Exception {
        try (ServerSocket squatter = new ServerSocket(0, 1, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}))) {
            mesh.env.put("MESH_RETRIEVAL_PORT", Integer.toString(squatter.getLocalPort()));

            MeshFixture.Run run = mesh.run("up");

            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.err().lines()).singleElement().satisfies(line -> assertThat(line)
                    .startsWith("mesh: port " + squatter.getLocalPort() + " (retrieval) is already in use")
                    .contains("MESH_RETRIEVAL_PORT"));
            assertThat(run.out()).isEmpty();
            assertNothingStarted();
        }
    }

    @Test
    void aTakenControllerPortIsNamedAsSuch() throws Exception {
        try (ServerSocket squatter = new ServerSocket(0, 1, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}))) {
            mesh.env.put("MESH_KAFKA_CONTROLLER_PORT", Integer.toString(squatter.getLocalPort()));

            MeshFixture.Run run = mesh.run("up");

            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.err()).contains("port " + squatter.getLocalPort() + " (kafka controller)")
                    .contains("MESH_KAFKA_CONTROLLER_PORT");
            assertNothingStarted();
        }
    }

    @Test
    void refusesWhenTheMeshIsAlreadyUp() throws Exception {
        Process gateway = mesh.standIn(mesh.config().component("gateway"));
        mesh.writePid("gateway", gateway.pid());

        MeshFixture.Run run = mesh.run("up");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err().lines()).singleElement().satisfies(line -> assertThat(line)
                .startsWith("mesh: the mesh is already up")
                .contains("gateway (pid " + gateway.pid() + ")"));
        assertThat(gateway.isAlive()).isTrue();
    }

    @Test
    void aStalePidFileDoesNotCountAsUp() throws Exception {
        Process sleeper = mesh.sleeper(); // alive, but not a gateway
        mesh.writePid("gateway", sleeper.pid());

        MeshFixture.Run run = mesh.run("up");

        // It gets past the "already up" check and stops at the next one: nothing is built here.
        assertThat(run.err()).doesNotContain("already up").contains("not built");
    }

    @Test
    void refusesWhenJarsAreMissingNamingThem() throws Exception {
        MeshFixture.Run run = mesh.run("up");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err().lines()).singleElement().satisfies(line -> assertThat(line)
                .startsWith("mesh: not built: kafka (kafka-local/target/kafka-local.jar)")
                .contains("decoder (decoder-service/server/target/quarkus-app/quarkus-run.jar)")
                .endsWith("run 'mesh build'"));
        assertNothingStarted();
    }

    @Test
    void refusesAModelFileThatDoesNotExist() throws Exception {
        mesh.fakeArtifacts();

        MeshFixture.Run run = mesh.run("up", "--model", "no-such-model.gguf");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).startsWith("mesh: --model no-such-model.gguf: no such file");
        assertNothingStarted();
    }

    @Test
    void badPortVariableIsOneClearLine() {
        mesh.env.put("MESH_GATEWAY_PORT", "seventy-seven");

        MeshFixture.Run run = mesh.run("up");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("mesh: MESH_GATEWAY_PORT must be a whole number, got 'seventy-seven'\n");
    }

    @Test
    void twoComponentsOnOnePortAreRefused() {
        mesh.env.put("MESH_RANKER_PORT", mesh.env.get("MESH_ENCODER_PORT"));

        MeshFixture.Run run = mesh.run("up");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("is configured for both encoder and ranker");
    }

    private void assertNothingStarted() throws Exception {
        MeshLayout layout = mesh.config().layout();
        for (Path folder : new Path[] {layout.runDir(), layout.logDir()}) {
            if (Files.isDirectory(folder)) {
                try (Stream<Path> files = Files.list(folder)) {
                    assertThat(files).isEmpty();
                }
            }
        }
    }
}
