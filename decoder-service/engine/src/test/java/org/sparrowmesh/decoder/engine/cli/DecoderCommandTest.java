package org.sparrowmesh.decoder.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparrowmesh.decoder.engine.ReferenceData;
import org.sparrowmesh.decoder.engine.SharedTestData;
import picocli.CommandLine;

/** `mesh generate` / `mesh perplexity` as a user runs them: stdout, stderr, exit codes. */
class DecoderCommandTest {

    @TempDir
    Path folder;

    @Test
    void generatePrintsExactlyLlamaCppsGreedyTextOnStdoutAndStatisticsOnStderr() {
        JsonNode reference = ReferenceData.jsonLines("greedy.jsonl").getFirst();
        Run run = run("generate", "--model", SharedTestData.stories260K().toString(),
                "--prompt", reference.get("prompt").asText(), "-n", "64", "--temp", "0");
        assertThat(run.exitCode).isZero();
        assertThat(run.stdout).isEqualTo(reference.get("generated_text").asText());
        assertThat(run.stderr).contains("generated: 64 tokens").contains("finish: length");
    }

    @Test
    void tokensPrintsTheGeneratedIds() {
        JsonNode reference = ReferenceData.jsonLines("greedy.jsonl").getFirst();
        Run run = run("generate", "-m", SharedTestData.stories260K().toString(),
                "-p", reference.get("prompt").asText(), "-n", "64", "--temp", "0", "--tokens");
        StringBuilder expected = new StringBuilder();
        reference.get("generated_token_ids").forEach(id -> expected.append(expected.isEmpty() ? "" : " ").append(id.asInt()));
        assertThat(run.stdout.strip()).isEqualTo(expected.toString());
    }

    @Test
    void perplexityPrintsTheMeanNll() {
        Run run = run("perplexity", "-m", SharedTestData.stories260K().toString(),
                "-f", SharedTestData.llama().resolve("ppl_text.txt").toString());
        assertThat(run.exitCode).isZero();
        assertThat(run.stdout).contains("tokens: 386 (385 scored)").containsPattern("mean NLL: 1\\.35\\d+");
    }

    @Test
    void aMissingOrCorruptModelIsOneClearLineAndExitCode1() throws Exception {
        Run missing = run("generate", "-m", folder.resolve("nope.gguf").toString(), "-p", "hi");
        assertThat(missing.exitCode).isEqualTo(1);
        assertThat(missing.stderr.strip()).isEqualTo("mesh generate: no such file: " + folder.resolve("nope.gguf"));

        Path corrupt = folder.resolve("corrupt.gguf");
        Files.write(corrupt, "GGUF but not really".getBytes(StandardCharsets.US_ASCII));
        Run bad = run("generate", "-m", corrupt.toString(), "-p", "hi");
        assertThat(bad.exitCode).isEqualTo(1);
        assertThat(bad.stderr.strip()).startsWith("mesh generate: not a usable GGUF file: ").doesNotContain("\tat ");
    }

    @Test
    void badOptionsNameTheOption() {
        Run run = run("generate", "-m", SharedTestData.stories260K().toString(), "-p", "hi", "--top-p", "1.5");
        assertThat(run.exitCode).isEqualTo(1);
        assertThat(run.stderr).contains("top_p must be within [0, 1], got 1.5");
    }

    private record Run(int exitCode, String stdout, String stderr) {
    }

    private static Run run(String... args) {
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        StringWriter picocliErr = new StringWriter();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            CommandLine cli = DecoderCommand.commandLine();
            cli.setErr(new PrintWriter(picocliErr, true));
            int code = cli.execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8),
                    err.toString(StandardCharsets.UTF_8) + picocliErr);
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
    }
}
