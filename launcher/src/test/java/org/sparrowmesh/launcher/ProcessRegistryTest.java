package org.sparrowmesh.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessRegistryTest {

    @TempDir
    Path root;

    MeshFixture mesh;
    ProcessRegistry registry;
    Component gateway;

    @BeforeEach
    void setUp() {
        mesh = new MeshFixture(root);
        registry = new ProcessRegistry(mesh.config().layout());
        gateway = mesh.config().component("gateway");
    }

    @AfterEach
    void tearDown() {
        mesh.close();
    }

    @Test
    void noPidFile() {
        assertThat(registry.lookup(gateway).state()).isEqualTo(ProcessRegistry.PidState.NO_PID_FILE);
    }

    @Test
    void aPidFileWithoutAPidIsDead() throws Exception {
        Files.createDirectories(mesh.config().layout().runDir());
        Files.writeString(mesh.config().layout().pidFile("gateway"), "not a pid\n");

        assertThat(registry.lookup(gateway).state()).isEqualTo(ProcessRegistry.PidState.DEAD);
    }

    @Test
    void aLiveProcessWithoutOurJarInItsCommandLineIsNotOurs() throws Exception {
        Process sleeper = mesh.sleeper();
        registry.record(gateway, sleeper.pid());

        ProcessRegistry.Entry entry = registry.lookup(gateway);

        assertThat(entry.state()).isEqualTo(ProcessRegistry.PidState.NOT_OURS);
        assertThat(entry.pid()).isEqualTo(sleeper.pid());
        assertThat(entry.process()).isEmpty();
    }

    @Test
    void theSameCommandLineForAnotherComponentIsNotOurs() throws Exception {
        Process decoder = mesh.standIn(mesh.config().component("decoder"));
        registry.record(gateway, decoder.pid());

        assertThat(registry.lookup(gateway).state()).isEqualTo(ProcessRegistry.PidState.NOT_OURS);
    }

    @Test
    void aLiveProcessRunningOurJarIsOurs() throws Exception {
        Process standIn = mesh.standIn(gateway);
        registry.record(gateway, standIn.pid());

        ProcessRegistry.Entry entry = registry.lookup(gateway);

        assertThat(entry.state()).isEqualTo(ProcessRegistry.PidState.OURS);
        assertThat(entry.process()).map(ProcessHandle::pid).contains(standIn.pid());
    }

    @Test
    void kafkaNeedsBothItsJarAndItsMainClass() throws Exception {
        Component kafka = mesh.config().kafka();
        Process jarOnly = new ProcessBuilder("bash", "-c", "while :; do sleep 0.1; done", "x",
                kafka.artifact().toString()).start();
        try {
            registry.record(kafka, jarOnly.pid());
            assertThat(registry.lookup(kafka).state()).isEqualTo(ProcessRegistry.PidState.NOT_OURS);

            Process both = mesh.standIn(kafka);
            registry.record(kafka, both.pid());
            assertThat(registry.lookup(kafka).state()).isEqualTo(ProcessRegistry.PidState.OURS);
        } finally {
            jarOnly.destroyForcibly();
        }
    }

    @Test
    void commandLineOfThisJvmNamesJava() {
        assertThat(ProcessRegistry.commandLine(ProcessHandle.current().pid())).hasValueSatisfying(
                line -> assertThat(line).contains("java"));
    }
}
