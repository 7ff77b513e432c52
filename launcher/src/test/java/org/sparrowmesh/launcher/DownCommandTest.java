package org.sparrowmesh.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DownCommandTest {

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
    void leavesAliveAProcessThatIsNotOursAndDropsItsPidFile() throws Exception {
        Process sleeper = mesh.sleeper();
        mesh.writePid("gateway", sleeper.pid());

        MeshFixture.Run run = mesh.run("down");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("left pid " + sleeper.pid() + " alone: it is not the gateway");
        assertThat(sleeper.waitFor(500, TimeUnit.MILLISECONDS)).as("the sleep process exited").isFalse();
        assertThat(sleeper.isAlive()).isTrue();
        assertThat(mesh.config().layout().pidFile("gateway")).doesNotExist();
    }

    @Test
    void leavesAliveTheTestJvmItself() throws Exception {
        mesh.writePid("decoder", ProcessHandle.current().pid());

        MeshFixture.Run run = mesh.run("down");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("left pid " + ProcessHandle.current().pid() + " alone");
    }

    @Test
    void stopsOurProcessesServicesFirstThenKafka() throws Exception {
        Process kafka = mesh.standIn(mesh.config().kafka());
        Process ranker = mesh.standIn(mesh.config().component("ranker"));
        mesh.writePid("kafka", kafka.pid());
        mesh.writePid("ranker", ranker.pid());

        MeshFixture.Run run = mesh.run("down", "--grace", "10");

        assertThat(run.exitCode()).isZero();
        assertThat(kafka.waitFor(5, TimeUnit.SECONDS)).isTrue();
        assertThat(ranker.waitFor(5, TimeUnit.SECONDS)).isTrue();
        assertThat(run.out().lines()).containsExactly(
                "stopped ranker (pid " + ranker.pid() + ")",
                "stopped kafka (pid " + kafka.pid() + ")");
        assertThat(mesh.config().layout().pidFile("kafka")).doesNotExist();
        assertThat(mesh.config().layout().pidFile("ranker")).doesNotExist();
    }

    @Test
    void killsAProcessThatIgnoresSigtermAfterTheGracePeriod() throws Exception {
        Process stubborn = mesh.standIn(mesh.config().component("encoder"), true);
        mesh.writePid("encoder", stubborn.pid());
        Thread.sleep(200); // let bash install its trap before the SIGTERM arrives

        MeshFixture.Run run = mesh.run("down", "--grace", "1");

        assertThat(run.exitCode()).isZero();
        assertThat(stubborn.waitFor(5, TimeUnit.SECONDS)).isTrue();
        assertThat(run.out()).contains("stopped encoder (pid " + stubborn.pid() + ") with SIGKILL after 1 s");
    }

    @Test
    void isIdempotent() throws Exception {
        Process gateway = mesh.standIn(mesh.config().component("gateway"));
        mesh.writePid("gateway", gateway.pid());

        MeshFixture.Run first = mesh.run("down");
        MeshFixture.Run second = mesh.run("down");

        assertThat(first.out()).contains("stopped gateway");
        assertThat(second.exitCode()).isZero();
        assertThat(second.out()).isEqualTo("nothing to stop: no process started by mesh is running\n");
    }

    @Test
    void removesThePidFileOfAProcessThatHasExited() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        mesh.writePid("retrieval", gone.pid());

        MeshFixture.Run run = mesh.run("down");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("removed the pid file of retrieval (pid " + gone.pid() + " had already exited)");
        assertThat(Files.exists(mesh.config().layout().pidFile("retrieval"))).isFalse();
    }
}
