package org.sparrowmesh.decoder.engine.download;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Fetches a remote model into a cache folder: into {@code <name>.part}, resuming an interrupted
 * download with an HTTP Range request from the part's size (a server that ignores Range starts
 * over), reporting progress, checking the SHA-256 when one is given, and moving the file into place
 * only when it is whole. A model already in the cache is not fetched again. A lock file keeps two
 * processes from writing the same part. {@code HF_TOKEN}, when set, goes along as a Bearer token
 * (gated Hugging Face repositories need it).
 */
public final class ModelDownloader {

    /** Told how far a download is. */
    @FunctionalInterface
    public interface Progress {
        void update(long bytes, long totalBytes);
    }

    private final Path cache;
    private final HttpClient http;

    public ModelDownloader(Path cache) {
        this.cache = cache;
        this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(30)).build();
    }

    /** {@code $MESH_MODEL_CACHE}, else {@code ~/.cache/sparrow-mesh/models}. */
    public static Path defaultCache() {
        String configured = System.getenv("MESH_MODEL_CACHE");
        return configured != null && !configured.isBlank() ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".cache", "sparrow-mesh", "models");
    }

    /** A local file as it is (checked); a remote one from the cache, downloading what is missing. */
    public Path resolve(ModelLocation location, Progress progress) throws IOException {
        if (!location.remote()) {
            if (!Files.isRegularFile(location.path())) {
                throw new IOException("no such model file: " + location.path());
            }
            return location.path();
        }
        // one folder per URL: two repositories' "model.Q4_K_M.gguf" never share a cache entry
        Path folder = cache.resolve(urlKey(location));
        Files.createDirectories(folder);
        Path target = folder.resolve(location.fileName());
        if (Files.isRegularFile(target) && matches(target, location.sha256())) {
            return target;
        }
        Path part = folder.resolve(location.fileName() + ".part");
        try (FileChannel lockFile = FileChannel.open(folder.resolve(location.fileName() + ".lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = lockFile.tryLock()) {
            if (lock == null) {
                throw new IOException("another process is downloading " + location.fileName() + " into " + folder);
            }
            download(location, part, progress);
            if (location.sha256().isPresent()) {
                String actual = sha256(part);
                if (!actual.equals(location.sha256().get())) {
                    Files.deleteIfExists(part);
                    throw new IOException("checksum mismatch for " + location.uri() + ": expected sha256 "
                            + location.sha256().get() + ", got " + actual + " (the partial file was deleted)");
                }
            }
            requireGguf(part, location);
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return target;
        }
    }

    private void download(ModelLocation location, Path part, Progress progress) throws IOException {
        long have = Files.exists(part) ? Files.size(part) : 0;
        HttpRequest.Builder request = HttpRequest.newBuilder(location.uri()).timeout(Duration.ofMinutes(10)).GET();
        String token = System.getenv("HF_TOKEN");
        if (token != null && !token.isBlank() && "huggingface.co".equals(location.uri().getHost())) {
            request.header("Authorization", "Bearer " + token);
        }
        if (have > 0) {
            request.header("Range", "bytes=" + have + "-");
        }
        HttpResponse<InputStream> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while connecting to " + location.uri(), e);
        }
        int status = response.statusCode();
        if (status == 416 && have > 0) {
            response.body().close();
            return; // the part is already whole
        }
        if (status == 401 || status == 403) {
            response.body().close();
            throw new IOException("HTTP " + status + " from " + location.uri()
                    + ": the repository may be gated; set HF_TOKEN to a Hugging Face access token");
        }
        if (status != 200 && status != 206) {
            response.body().close();
            throw new IOException("HTTP " + status + " from " + location.uri());
        }
        boolean resume = status == 206;
        if (!resume) {
            have = 0; // the server sent the whole file: start over
        }
        long total = response.headers().firstValueAsLong("Content-Length").orElse(-1);
        if (total >= 0) {
            total += have;
        }
        try (InputStream in = response.body();
                OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        resume ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
            byte[] buffer = new byte[1 << 16];
            long done = have;
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                done += n;
                progress.update(done, total);
            }
            if (total >= 0 && done < total) {
                throw new IOException("the download of " + location.uri() + " stopped at " + done + " of " + total
                        + " bytes; run again to resume");
            }
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().contains("run again to resume")) {
                throw e;
            }
            throw new IOException("the download of " + location.uri() + " broke off (" + e.getMessage() + ") with "
                    + Files.size(part) + " bytes in " + part + "; run again to resume", e);
        }
    }

    /** The first 12 hex digits of the SHA-256 of the URL. */
    static String urlKey(ModelLocation location) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(location.uri().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean matches(Path file, Optional<String> sha256) throws IOException {
        return sha256.isEmpty() || sha256(file).equals(sha256.get());
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void requireGguf(Path file, ModelLocation location) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] magic = in.readNBytes(4);
            if (magic.length < 4 || magic[0] != 'G' || magic[1] != 'G' || magic[2] != 'U' || magic[3] != 'F') {
                throw new IOException(location.uri() + " is not a GGUF file (it does not start with GGUF)");
            }
        }
    }
}
