package org.sparrowmesh.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogFilesTest {

    @TempDir
    Path dir;

    @Test
    void tailOfAFileLargerThanTheFirstWindow() throws Exception {
        Path log = dir.resolve("big.log");
        // ~1 MB: several growths of the read window
        Files.write(log, IntStream.range(0, 20_000).mapToObj(i -> "line " + i + " " + "x".repeat(40)).toList());

        List<String> tail = LogFiles.tail(log, 3);

        assertThat(tail).containsExactly(
                "line 19997 " + "x".repeat(40), "line 19998 " + "x".repeat(40), "line 19999 " + "x".repeat(40));
        assertThat(LogFiles.tail(log, 15_000)).hasSize(15_000).first().isEqualTo("line 5000 " + "x".repeat(40));
    }

    @Test
    void tailOfASmallFileWithoutFinalNewline() throws Exception {
        Path log = dir.resolve("small.log");
        Files.writeString(log, "a\nb\nc");

        assertThat(LogFiles.tail(log, 2)).containsExactly("b", "c");
        assertThat(LogFiles.tail(log, 30)).containsExactly("a", "b", "c");
        assertThat(LogFiles.tail(dir.resolve("missing.log"), 30)).isEmpty();
    }

    @Test
    void followerPrintsOnlyCompleteAppendedLinesPrefixedWhenFollowingSeveral() throws Exception {
        Path gateway = dir.resolve("gateway.log");
        Path decoder = dir.resolve("decoder.log");
        Files.writeString(gateway, "old line\n");
        Map<String, Path> files = new LinkedHashMap<>();
        files.put("gateway", gateway);
        files.put("decoder", decoder); // does not exist yet
        LogFollower follower = new LogFollower(files);
        StringWriter text = new StringWriter();
        PrintWriter out = new PrintWriter(text);

        Files.writeString(gateway, "new line\npartial", StandardOpenOption.APPEND);
        Files.writeString(decoder, "decoder up\n");
        follower.pollOnce(out);
        assertThat(text.toString().lines()).containsExactly("gateway | new line", "decoder | decoder up");

        Files.writeString(gateway, " line completed\n", StandardOpenOption.APPEND);
        follower.pollOnce(out);
        assertThat(text.toString().lines()).last().isEqualTo("gateway | partial line completed");
    }

    @Test
    void followerStartsOverAfterTruncation() throws Exception {
        Path log = dir.resolve("ranker.log");
        Files.writeString(log, "a long first life of the log\n");
        LogFollower follower = new LogFollower(Map.of("ranker", log));
        StringWriter text = new StringWriter();

        Files.writeString(log, "restarted\n"); // truncates
        follower.pollOnce(new PrintWriter(text));

        assertThat(text.toString()).isEqualTo("restarted" + System.lineSeparator());
    }
}
