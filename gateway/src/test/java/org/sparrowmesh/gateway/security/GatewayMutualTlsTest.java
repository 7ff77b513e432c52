package org.sparrowmesh.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;
import org.sparrowmesh.gateway.events.KafkaBrokerTestResource;

/**
 * Mutual TLS, the option for traffic between services: the gateway requires a client certificate
 * its trust store holds ({@code quarkus.http.ssl.client-auth=required}). A client showing the test
 * client certificate is served; one without a certificate is refused in the handshake.
 */
@QuarkusTest
@TestProfile(GatewayMutualTlsTest.Profile.class)
class GatewayMutualTlsTest {

    static final Path DIR = Path.of("target/mtls-test").toAbsolutePath();
    static final Path SERVER = DIR.resolve("server.p12");
    static final Path CLIENT = DIR.resolve("client.p12");
    static final Path SERVER_TRUST = DIR.resolve("server-trust.p12");
    static final Path CLIENT_TRUST = DIR.resolve("client-trust.p12");
    static final String PASSWORD = "test-secret";

    public static final class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            makeStores();
            return Map.of("quarkus.http.ssl.certificate.key-store-file", SERVER.toString(),
                    "quarkus.http.ssl.certificate.key-store-password", PASSWORD,
                    "quarkus.http.ssl.certificate.trust-store-file", SERVER_TRUST.toString(),
                    "quarkus.http.ssl.certificate.trust-store-password", PASSWORD,
                    "quarkus.http.ssl.client-auth", "required",
                    "quarkus.http.insecure-requests", "disabled", "quarkus.http.test-ssl-port", "0");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(KafkaBrokerTestResource.class));
        }
    }

    static synchronized void makeStores() {
        if (Files.exists(CLIENT_TRUST)) {
            return;
        }
        try {
            Files.createDirectories(DIR);
            for (Path p : List.of(SERVER, CLIENT, SERVER_TRUST, CLIENT_TRUST)) {
                Files.deleteIfExists(p);
            }
            keypair(SERVER, "server", "CN=localhost", "SAN=ip:127.0.0.1,dns:localhost");
            keypair(CLIENT, "client", "CN=gateway-test-client", null);
            // each side trusts the other's self-signed certificate
            trust(CLIENT, "client", SERVER_TRUST);
            trust(SERVER, "server", CLIENT_TRUST);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void keypair(Path store, String alias, String dname, String san) throws IOException {
        List<String> cmd = new java.util.ArrayList<>(List.of(keytool(), "-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname", "secp256r1",
                "-validity", "2", "-dname", dname, "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", PASSWORD));
        if (san != null) {
            cmd.addAll(List.of("-ext", san));
        }
        run(cmd);
    }

    private static void trust(Path from, String alias, Path into) throws IOException {
        Path cert = DIR.resolve(alias + ".crt");
        run(List.of(keytool(), "-exportcert", "-rfc", "-alias", alias, "-keystore", from.toString(), "-storepass", PASSWORD, "-file", cert.toString()));
        run(List.of(keytool(), "-importcert", "-noprompt", "-alias", alias, "-file", cert.toString(), "-storetype", "PKCS12",
                "-keystore", into.toString(), "-storepass", PASSWORD));
    }

    private static String keytool() {
        return Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    }

    private static void run(List<String> command) throws IOException {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("keytool failed: " + String.join(" ", command) + "\n" + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static KeyStore load(Path p) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p)) {
            ks.load(in, PASSWORD.toCharArray());
        }
        return ks;
    }

    private static SSLContext context(boolean withClientCertificate) throws Exception {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(load(CLIENT_TRUST));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(load(CLIENT), PASSWORD.toCharArray());
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(withClientCertificate ? kmf.getKeyManagers() : null, tmf.getTrustManagers(), null);
        return ssl;
    }

    @Test
    void aClientWithTheTrustedCertificateIsServedAndOneWithoutIsRefused() throws Exception {
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-ssl-port", Integer.class);
        URI health = URI.create("https://127.0.0.1:" + port + "/q/health/ready");
        HttpResponse<String> ok = HttpClient.newBuilder().sslContext(context(true)).build()
                .send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ok.statusCode()).isEqualTo(200);

        // TLS 1.3: the server's refusal of a missing certificate may arrive after the client's side of the handshake
        assertThatThrownBy(() -> HttpClient.newBuilder().sslContext(context(false)).build()
                .send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(IOException.class);
    }
}
