package org.sparrowmesh.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MeshConfigTest {

    private final Path root = Path.of("/srv/mesh");

    @Test
    void defaultPortsAndPaths() {
        MeshConfig config = MeshConfig.from(root, root, Map.of());

        assertThat(config.components()).extracting(Component::name, Component::port).containsExactly(
                org.assertj.core.groups.Tuple.tuple("kafka", 19092),
                org.assertj.core.groups.Tuple.tuple("gateway", 7700),
                org.assertj.core.groups.Tuple.tuple("decoder", 7701),
                org.assertj.core.groups.Tuple.tuple("encoder", 7702),
                org.assertj.core.groups.Tuple.tuple("retrieval", 7703),
                org.assertj.core.groups.Tuple.tuple("ranker", 7704));
        assertThat(config.kafkaControllerPort()).isEqualTo(19093);
        assertThat(config.layout().stateDir()).isEqualTo(Path.of("/srv/mesh/.mesh"));
        assertThat(config.component("decoder").artifact())
                .isEqualTo(Path.of("/srv/mesh/decoder-service/server/target/quarkus-app/quarkus-run.jar"));
        assertThat(config.startTimeout().toSeconds()).isEqualTo(120);
    }

    @Test
    void environmentOverridesPortsStateDirAndJvmOptions() {
        MeshConfig config = MeshConfig.from(root, Path.of("/home/me"), Map.of(
                "MESH_DECODER_PORT", "8801",
                "MESH_KAFKA_PORT", "29092",
                "MESH_STATE_DIR", "state",
                "MESH_JAVA_OPTS", " -Xmx2g  -Dfoo=bar ",
                "MESH_START_TIMEOUT", "30"));

        assertThat(config.component("decoder").port()).isEqualTo(8801);
        assertThat(config.kafkaBootstrap()).isEqualTo("127.0.0.1:29092");
        assertThat(config.layout().stateDir()).isEqualTo(Path.of("/home/me/state"));
        assertThat(config.layout().pidFile("decoder")).isEqualTo(Path.of("/home/me/state/run/decoder.pid"));
        assertThat(config.extraJvmOptions()).containsExactly("-Xmx2g", "-Dfoo=bar");
        assertThat(config.startTimeout().toSeconds()).isEqualTo(30);
    }

    @Test
    void badPortsNameTheirVariable() {
        assertThatThrownBy(() -> MeshConfig.from(root, root, Map.of("MESH_RANKER_PORT", "70000")))
                .isInstanceOf(MeshException.class)
                .hasMessage("MESH_RANKER_PORT must be a port within [1, 65535], got 70000");
        assertThatThrownBy(() -> MeshConfig.from(root, root, Map.of("MESH_KAFKA_CONTROLLER_PORT", "x")))
                .hasMessage("MESH_KAFKA_CONTROLLER_PORT must be a whole number, got 'x'");
    }

    @Test
    void serviceCommandLineCarriesFlagsPortPeersAndJar() {
        MeshConfig config = MeshConfig.from(root, root, Map.of("MESH_JAVA_OPTS", "-Xmx1g"));
        Component decoder = config.component("decoder");

        List<String> command = decoder.commandLine(config);

        assertThat(command.getFirst()).endsWith("/bin/java");
        assertThat(command).containsSubsequence(
                "--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-Dquarkus.http.port=7701", "-Xmx1g", "-jar", decoder.artifact().toString());
        assertThat(command).contains("-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.grpc.clients.retrieval.port=7703")
                .doesNotContain("-Dquarkus.grpc.clients.decoder.port=7701");
        assertThat(command.getLast()).isEqualTo(decoder.artifact().toString());
        assertThat(decoder.environment(config)).containsEntry("MESH_KAFKA_BOOTSTRAP", "127.0.0.1:19092")
                .containsEntry("MESH_RANKER_PORT", "7704")
                .containsEntry("MESH_GATEWAY_HOST", "127.0.0.1");
    }

    @Test
    void kafkaCommandLineRunsTheBrokerMainWithItsPortsAndDataDir() {
        MeshConfig config = MeshConfig.from(root, root, Map.of());

        List<String> command = config.kafka().commandLine(config);

        assertThat(command).containsSubsequence("-cp",
                "/srv/mesh/kafka-local/target/kafka-local.jar:/srv/mesh/kafka-local/target/lib/*",
                "org.sparrowmesh.kafkalocal.KafkaBrokerMain",
                "--data-dir", "/srv/mesh/.mesh/kafka", "--port", "19092", "--controller-port", "19093");
        assertThat(String.join(" ", command)).contains(config.kafka().identityMarkers());
    }
}
