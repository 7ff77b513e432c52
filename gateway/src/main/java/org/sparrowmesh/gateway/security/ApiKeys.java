package org.sparrowmesh.gateway.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * The gateway's API keys, from config and/or a mounted file, checked in constant time: every key is
 * compared whole with {@link MessageDigest#isEqual} over SHA-256 digests, so neither the position of
 * the first differing byte nor the length of a key shows in the time taken.
 */
@ApplicationScoped
public class ApiKeys {

    private static final Logger LOG = Logger.getLogger(ApiKeys.class);

    /** The outcome of a check: who the caller is (a key id safe to log and to rate-limit on), or why not. */
    public record Verdict(boolean allowed, String principal, String reason) {
        static Verdict allow(String principal) {
            return new Verdict(true, principal, null);
        }

        static Verdict deny(String reason) {
            return new Verdict(false, null, reason);
        }
    }

    private final boolean enabled;
    private final List<byte[]> digests;

    @Inject
    public ApiKeys(SecuritySettings settings) {
        this(settings.apiKeysEnabled(), settings.apiKeys().orElse(List.of()), settings.apiKeysFile());
    }

    ApiKeys(boolean enabled, List<String> inline, Optional<String> file) {
        this.enabled = enabled;
        List<String> keys = new ArrayList<>();
        inline.stream().map(String::strip).filter(k -> !k.isEmpty()).forEach(keys::add);
        file.filter(f -> !f.isBlank()).ifPresent(f -> keys.addAll(readFile(Path.of(f))));
        if (enabled && keys.isEmpty()) {
            throw new IllegalStateException("mesh.security.api-keys-enabled=true but no key is configured: set "
                    + "mesh.security.api-keys (MESH_API_KEYS) or mesh.security.api-keys-file (MESH_API_KEYS_FILE)");
        }
        this.digests = keys.stream().map(ApiKeys::sha256).toList();
        if (enabled) {
            LOG.infof("API-key authentication on (%d keys)", digests.size());
        }
    }

    public boolean enabled() {
        return enabled;
    }

    /**
     * Checks a presented key ({@code null} when none was sent). With authentication off everyone is
     * {@code anonymous}; else the principal is {@code key-N}, the key's position, never the key.
     */
    public Verdict check(String presented) {
        if (!enabled) {
            return Verdict.allow("anonymous");
        }
        if (presented == null || presented.isBlank()) {
            return Verdict.deny("an API key is required: send it as 'x-api-key: KEY' or 'authorization: Bearer KEY'");
        }
        byte[] digest = sha256(presented.strip());
        int match = -1;
        for (int i = 0; i < digests.size(); i++) {
            // no early exit: every key is compared whatever matched before
            if (MessageDigest.isEqual(digests.get(i), digest) && match < 0) {
                match = i;
            }
        }
        return match < 0 ? Verdict.deny("the API key is not valid") : Verdict.allow("key-" + (match + 1));
    }

    /** The key from an {@code x-api-key} value, else from an {@code authorization: Bearer} value. */
    public static String presentedKey(String apiKeyHeader, String authorization) {
        if (apiKeyHeader != null && !apiKeyHeader.isBlank()) {
            return apiKeyHeader;
        }
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return authorization.substring(7);
        }
        return null;
    }

    private static List<String> readFile(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8).stream().map(String::strip)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read mesh.security.api-keys-file " + file + ": " + e.getMessage(), e);
        }
    }

    private static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
