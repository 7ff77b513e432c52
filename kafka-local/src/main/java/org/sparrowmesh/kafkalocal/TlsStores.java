package org.sparrowmesh.kafkalocal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A broker's TLS material for tests, made at run time: a PKCS12 key store with a self-signed
 * certificate for {@code 127.0.0.1} and {@code localhost} (the JDK's {@code keytool}), and a PKCS12
 * trust store holding only that certificate, which clients trust as they trust Strimzi's cluster CA
 * ({@code ca.p12}). Both stores open with {@code password}.
 */
public record TlsStores(Path keystore, Path truststore, String password) {

    private static final String ALIAS = "kafka-local-broker";

    /** Writes {@code broker.p12} and {@code truststore.p12} into {@code dir} (created when missing). */
    public static TlsStores selfSigned(Path dir) {
        try {
            Files.createDirectories(dir);
            Path keystore = dir.resolve("broker.p12");
            Path truststore = dir.resolve("truststore.p12");
            byte[] secret = new byte[16];
            new SecureRandom().nextBytes(secret);
            String password = HexFormat.of().formatHex(secret);
            generateKeyPair(keystore, password);
            writeTrustStore(keystore, truststore, password);
            return new TlsStores(keystore, truststore, password);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the TLS stores into " + dir, e);
        }
    }

    /** The SAN names the address clients dial, so host name verification (Kafka's default) passes. */
    private static void generateKeyPair(Path keystore, String password) throws IOException {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        ProcessBuilder builder = new ProcessBuilder(List.of(keytool.toString(), "-genkeypair",
                "-alias", ALIAS, "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass:env", "STORE_PASSWORD"))
                .redirectErrorStream(true);
        builder.environment().put("STORE_PASSWORD", password);
        Process process = builder.start();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IOException(keytool + " -genkeypair failed: " + output.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while " + keytool + " made the broker's key", e);
        } finally {
            process.destroy();
        }
    }

    private static void writeTrustStore(Path keystore, Path truststore, String password) throws IOException {
        try (InputStream in = Files.newInputStream(keystore); OutputStream out = Files.newOutputStream(truststore)) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(in, password.toCharArray());
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry(ALIAS, keys.getCertificate(ALIAS));
            trust.store(out, password.toCharArray());
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot copy the broker's certificate into " + truststore + ": " + e.getMessage(), e);
        }
    }

    /** Everything but the password. */
    @Override
    public String toString() {
        return "TlsStores[keystore=" + keystore + ", truststore=" + truststore + "]";
    }
}
