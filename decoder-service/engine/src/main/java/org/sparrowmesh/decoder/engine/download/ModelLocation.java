package org.sparrowmesh.decoder.engine.download;

import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Where a model comes from: a local file, an https URL, or {@code hf://owner/repo/path/file.gguf}
 * (optionally {@code hf://owner/repo@revision/…}) on Hugging Face. A {@code #sha256=<hex>} suffix
 * gives the expected checksum. Plain http is accepted for loopback hosts only (tests, a local mirror).
 *
 * @param uri    the remote address, or null for a local file
 * @param path   the local file, or null for a remote one
 * @param sha256 the expected SHA-256 (lower-case hex), if given
 */
public record ModelLocation(URI uri, Path path, Optional<String> sha256) {

    public boolean remote() {
        return uri != null;
    }

    /** The file name the model gets in the cache. */
    public String fileName() {
        String p = remote() ? uri.getPath() : path.getFileName().toString();
        return p.substring(p.lastIndexOf('/') + 1);
    }

    public static ModelLocation parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("model location is empty");
        }
        String location = text.strip();
        Optional<String> sha = Optional.empty();
        int hash = location.indexOf("#sha256=");
        if (hash >= 0) {
            String hex = location.substring(hash + "#sha256=".length()).toLowerCase(Locale.ROOT);
            if (!hex.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("#sha256= needs 64 hexadecimal digits, got '" + hex + "'");
            }
            sha = Optional.of(hex);
            location = location.substring(0, hash);
        }
        if (location.startsWith("hf://")) {
            String[] parts = location.substring("hf://".length()).split("/", 3);
            if (parts.length < 3 || parts[0].isEmpty() || parts[1].isEmpty() || parts[2].isEmpty()) {
                throw new IllegalArgumentException("hf:// locations are hf://owner/repo[@revision]/path/file.gguf, got " + text);
            }
            String repo = parts[1];
            String revision = "main";
            int at = repo.indexOf('@');
            if (at >= 0) {
                revision = repo.substring(at + 1);
                repo = repo.substring(0, at);
            }
            return new ModelLocation(URI.create("https://huggingface.co/" + parts[0] + "/" + repo + "/resolve/" + revision + "/"
                    + parts[2]), null, sha);
        }
        if (location.startsWith("https://") || location.startsWith("http://")) {
            URI uri = URI.create(location);
            boolean loopback = "127.0.0.1".equals(uri.getHost()) || "localhost".equals(uri.getHost());
            if (location.startsWith("http://") && !loopback) {
                throw new IllegalArgumentException("plain http is only allowed for a loopback host; use https: " + text);
            }
            if (uri.getPath() == null || uri.getPath().endsWith("/")) {
                throw new IllegalArgumentException("the URL names no file: " + text);
            }
            return new ModelLocation(uri, null, sha);
        }
        return new ModelLocation(null, Path.of(location), sha);
    }
}
