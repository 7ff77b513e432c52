package org.sparrowmesh.decoder.engine.download;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparrowmesh.decoder.engine.SharedTestData;

/** Downloads from a real local HTTP server: resume after a cut, restart without Range, checksum, 404, cache hits. */
class ModelDownloaderTest {

    @TempDir
    Path cache;

    private byte[] model;
    private HttpServer server;
    private final List<String> ranges = new CopyOnWriteArrayList<>();
    private final AtomicBoolean cutHalfWay = new AtomicBoolean();
    private final AtomicBoolean ignoreRange = new AtomicBoolean();
    private final AtomicInteger requests = new AtomicInteger();

    @BeforeEach
    void serve() throws IOException {
        model = Files.readAllBytes(SharedTestData.stories260K());
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/models/stories260K.gguf", exchange -> {
            requests.incrementAndGet();
            String range = exchange.getRequestHeaders().getFirst("Range");
            ranges.add(range == null ? "" : range);
            int from = range != null && !ignoreRange.get() ? Integer.parseInt(range.replaceAll("bytes=(\\d+)-", "$1")) : 0;
            int length = model.length - from;
            exchange.sendResponseHeaders(from > 0 ? 206 : 200, length);
            try (OutputStream out = exchange.getResponseBody()) {
                if (cutHalfWay.getAndSet(false)) {
                    out.write(model, from, length / 2);
                    out.flush();
                    throw new IOException("cut"); // the server drops the connection half way
                }
                out.write(model, from, length);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private ModelLocation location(String suffix) {
        return ModelLocation.parse("http://127.0.0.1:" + server.getAddress().getPort() + "/models/stories260K.gguf" + suffix);
    }

    @Test
    void anInterruptedDownloadResumesWithARangeRequestAndEndsByteIdentical() throws Exception {
        ModelDownloader downloader = new ModelDownloader(cache);
        cutHalfWay.set(true);
        assertThatThrownBy(() -> downloader.resolve(location(""), (b, t) -> { }))
                .isInstanceOf(IOException.class).hasMessageContaining("run again to resume");
        Path folder = cache.resolve(ModelDownloader.urlKey(location("")));
        long half = Files.size(folder.resolve("stories260K.gguf.part"));
        assertThat(half).isPositive().isLessThan(model.length);

        List<Long> progress = new CopyOnWriteArrayList<>();
        Path file = downloader.resolve(location("#sha256=" + ModelDownloader.sha256(SharedTestData.stories260K())),
                (bytes, total) -> progress.add(bytes));
        assertThat(ranges.get(ranges.size() - 1)).isEqualTo("bytes=" + half + "-");
        assertThat(Files.readAllBytes(file)).isEqualTo(model);
        assertThat(progress.get(progress.size() - 1)).isEqualTo(model.length);
        assertThat(folder.resolve("stories260K.gguf.part")).doesNotExist();

        int before = requests.get();
        assertThat(downloader.resolve(location(""), (b, t) -> { })).isEqualTo(file);
        assertThat(requests.get()).as("a cached model is not fetched again").isEqualTo(before);
    }

    @Test
    void aServerThatIgnoresRangeStartsTheFileOver() throws Exception {
        ModelDownloader downloader = new ModelDownloader(cache);
        Path folder = Files.createDirectories(cache.resolve(ModelDownloader.urlKey(location(""))));
        Files.write(folder.resolve("stories260K.gguf.part"), new byte[] {1, 2, 3});
        ignoreRange.set(true);
        Path file = downloader.resolve(location(""), (b, t) -> { });
        assertThat(Files.readAllBytes(file)).isEqualTo(model);
    }

    @Test
    void aWrongChecksumA404AndMalformedLocationsAreClearErrors() {
        ModelDownloader downloader = new ModelDownloader(cache);
        assertThatThrownBy(() -> downloader.resolve(location("#sha256=" + "0".repeat(64)), (b, t) -> { }))
                .hasMessageContaining("checksum mismatch").hasMessageContaining("0".repeat(64));
        assertThat(cache.resolve(ModelDownloader.urlKey(location(""))).resolve("stories260K.gguf.part")).doesNotExist();
        assertThatThrownBy(() -> downloader.resolve(ModelLocation.parse("http://127.0.0.1:" + server.getAddress().getPort()
                + "/models/missing.gguf"), (b, t) -> { })).hasMessageContaining("HTTP 404");
        assertThatThrownBy(() -> ModelLocation.parse("http://example.org/m.gguf")).hasMessageContaining("https");
        assertThatThrownBy(() -> ModelLocation.parse("hf://owner/only")).hasMessageContaining("hf://owner/repo");
        assertThat(ModelLocation.parse("hf://TheBloke/TinyLlama-GGUF@v1/tinyllama.Q8_0.gguf").uri())
                .isEqualTo(URI.create("https://huggingface.co/TheBloke/TinyLlama-GGUF/resolve/v1/tinyllama.Q8_0.gguf"));
    }
}
