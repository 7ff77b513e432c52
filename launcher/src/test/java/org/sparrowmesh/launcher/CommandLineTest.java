package org.sparrowmesh.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The commands that wait for other issues, help, usage errors and `logs`. */
class CommandLineTest {

    @TempDir
    Path root;

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            bench           | only 'mesh bench decoder', 'mesh bench decoder-service' and 'mesh bench encoder' run
            """)
    void pendingCommandsSayWhatTheyWaitForAndExit2(String command, String waitsFor) {
        MeshFixture.Run run = new MeshFixture(root).run(command, "--json", "some question");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err().lines()).singleElement().satisfies(line -> assertThat(line)
                .startsWith("mesh: '" + command + "' is not available yet")
                .contains(waitsFor));
    }

    @Test
    void everyCommandHasHelp() {
        MeshFixture mesh = new MeshFixture(root);
        for (String command : new String[] {"up", "down", "status", "logs", "ask", "chat", "generate", "perplexity", "ingest",
            "eval-retrieval", "eval-ranker", "batch", "bench", "test", "build"}) {
            MeshFixture.Run run = mesh.run(command, "--help");
            assertThat(run.exitCode()).as(command).isZero();
            assertThat(run.out()).as(command).contains("Usage: mesh " + command);
        }
        MeshFixture.Run root = mesh.run("--help");
        assertThat(root.out()).contains("Usage: mesh", "up", "status", "test");
    }

    @Test
    void usageErrorsAreShortAndExit2() {
        MeshFixture.Run run = new MeshFixture(root).run("status", "--bogus");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("mesh: Unknown option: '--bogus'").contains("mesh status --help")
                .doesNotContain("\tat ");
    }

    @Test
    void logsPrintsTheEndOfOneLogOrAllWithHeaders() throws Exception {
        MeshFixture mesh = new MeshFixture(root);
        MeshLayout layout = mesh.config().layout();
        layout.createDirectories();
        Files.writeString(layout.logFile("gateway"), "one\ntwo\nthree\n");

        MeshFixture.Run one = mesh.run("logs", "gateway", "-n", "2");
        MeshFixture.Run all = mesh.run("logs", "-n", "1");
        MeshFixture.Run missing = mesh.run("logs", "decoder");
        MeshFixture.Run unknown = mesh.run("logs", "nope");

        assertThat(one.out().lines()).containsExactly("two", "three");
        assertThat(all.out()).contains("==> gateway: " + layout.logFile("gateway") + " <==\nthree\n")
                .contains("==> decoder: " + layout.logFile("decoder") + " <==\n(no log yet)");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).startsWith("mesh: no log for decoder yet");
        assertThat(unknown.err()).isEqualTo(
                "mesh: unknown component 'nope' (one of kafka, gateway, decoder, encoder, retrieval, ranker)\n");
    }
}
