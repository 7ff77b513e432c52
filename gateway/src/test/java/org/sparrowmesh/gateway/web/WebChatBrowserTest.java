package org.sparrowmesh.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;
import org.sparrowmesh.gateway.events.KafkaBrokerTestResource;

/**
 * The web chat page in a real browser: Debian's chromium driven by playwright-core
 * ({@code src/test/browser/chat-e2e.mjs}) asks a demo-corpus question of the gateway (stand-in
 * retrieval over corpus/model-zoo and a decoder streaming word by word, {@link StandInPeers}); the
 * evidence cards with marked words, candidates caught while streaming, the rewards, the winner and
 * the answer must show. The screenshot is {@code target/web-chat.png}. Skipped only when there is no
 * chromium ({@code MESH_CHROMIUM} or /usr/bin/chromium); a missing playwright-core fails.
 */
@QuarkusTest
@TestProfile(WebChatBrowserTest.Profile.class)
class WebChatBrowserTest {

    public static final class Profile implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(KafkaBrokerTestResource.class), new TestResourceEntry(StandInPeers.class));
        }
    }

    @Test
    void aDemoCorpusQuestionShowsEvidenceStreamedCandidatesAndTheAnswer() throws Exception {
        Path chromium = Path.of(System.getenv().getOrDefault("MESH_CHROMIUM", "/usr/bin/chromium"));
        assumeTrue(Files.isExecutable(chromium), "no chromium at " + chromium + " (apt-get install -y chromium, or set MESH_CHROMIUM)");
        Path browserDir = Path.of("src/test/browser").toAbsolutePath();
        assertThat(browserDir.resolve("node_modules/playwright-core"))
                .as("playwright-core is not installed: run 'npm ci' in %s (.ci/run does)", browserDir).isDirectory();

        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        Path screenshot = Path.of("target/web-chat.png").toAbsolutePath();
        Files.deleteIfExists(screenshot);
        JsonNode page = runBrowser(browserDir, "http://127.0.0.1:" + port + "/", screenshot, "Who introduced LaMDA, and in which year?");

        assertThat(page.get("error").isNull()).as("page error: %s", page.get("error")).isTrue();
        assertThat(page.get("consoleErrors")).as("console errors").isEmpty();
        JsonNode evidence = page.get("evidence");
        assertThat(evidence).isNotEmpty();
        assertThat(evidence.get(0).get("title").asText()).contains("LaMDA");
        assertThat(evidence.get(0).get("marks").asInt()).as("question words marked in the snippet").isPositive();
        assertThat(page.get("partialWhileStreaming").asText()).as("a candidate's text while it streamed").isNotEmpty();
        JsonNode candidates = page.get("candidates");
        assertThat(candidates).anySatisfy(c -> assertThat(c.get("origin").asText()).contains("generated with evidence"));
        assertThat(candidates).anySatisfy(c -> assertThat(c.get("origin").asText()).contains("generated, no evidence"));
        assertThat(candidates).anySatisfy(c -> assertThat(c.get("origin").asText()).contains("search snippet"));
        assertThat(candidates).allSatisfy(c -> assertThat(c.get("reward").asText()).startsWith("reward "));
        assertThat(candidates).filteredOn(c -> c.get("winner").asBoolean()).hasSize(1);
        assertThat(page.get("answerVisible").asBoolean()).isTrue();
        assertThat(page.get("answer").asText()).isNotBlank();
        assertThat(page.get("stages").toString()).contains("search: OK").contains("total");
        assertThat(page.get("horizontalOverflow").asBoolean()).as("page wider than a 390 px phone").isFalse();
        assertThat(screenshot).isNotEmptyFile();
    }

    static JsonNode runBrowser(Path browserDir, String url, Path screenshot, String question) throws IOException, InterruptedException {
        Path out = Files.createTempFile("chat-e2e", ".out");
        Path err = Files.createTempFile("chat-e2e", ".err");
        ProcessBuilder script = new ProcessBuilder("node", browserDir.resolve("chat-e2e.mjs").toString(), url, screenshot.toString(), question)
                .directory(browserDir.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile());
        // the stand-in decoder holds its streams half way until the script calls this
        script.environment().put("MESH_SEEN_URL", ConfigProvider.getConfig().getValue(StandInPeers.SEEN_URL_KEY, String.class));
        Process node = script.start();
        boolean ended = node.waitFor(120, TimeUnit.SECONDS);
        if (!ended) {
            node.destroyForcibly();
        }
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        assertThat(ended).as("the browser script did not end in 120 s; stderr:%n%s", stderr).isTrue();
        assertThat(node.exitValue()).as("the browser script failed; stderr:%n%s", stderr).isZero();
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        assertThat(lines).as("the browser script printed nothing; stderr:%n%s", stderr).isNotEmpty();
        return new ObjectMapper().readTree(lines.getLast());
    }
}
