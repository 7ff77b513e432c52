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
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;

import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;
import org.sparrowmesh.gateway.events.KafkaBrokerTestResource;

/**
 * The gateway with TLS from config: a self-signed certificate made by the JDK's keytool for this
 * test, the plain port switched off. The HTTP page and gRPC (same port, HTTP/2 over ALPN) complete
 * the handshake with a client that trusts that certificate; a client that trusts only the JDK's
 * default authorities fails the handshake.
 */
@QuarkusTest
@TestProfile(GatewayTlsTest.Profile.class)
class GatewayTlsTest {

    static final Path DIR = Path.of("target/tls-test").toAbsolutePath();
    static final Path KEY_STORE = DIR.resolve("gateway.p12");
    static final Path CERT = DIR.resolve("gateway.crt");

    public static final class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            makeCertificate();
            return Map.of("quarkus.http.ssl.certificate.key-store-file", KEY_STORE.toString(),
                    "quarkus.http.ssl.certificate.key-store-password", "test-secret",
                    "quarkus.http.insecure-requests", "disabled", "quarkus.http.test-ssl-port", "0");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(KafkaBrokerTestResource.class));
        }
    }

    static synchronized void makeCertificate() {
        if (Files.exists(CERT)) {
            return;
        }
        try {
            Files.createDirectories(DIR);
            Files.deleteIfExists(KEY_STORE);
            String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
            run(keytool, "-genkeypair", "-alias", "gateway", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                    "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12",
                    "-keystore", KEY_STORE.toString(), "-storepass", "test-secret");
            run(keytool, "-exportcert", "-rfc", "-alias", "gateway", "-keystore", KEY_STORE.toString(),
                    "-storepass", "test-secret", "-file", CERT.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void run(String... command) throws IOException {
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

    private static int sslPort() {
        return ConfigProvider.getConfig().getValue("quarkus.http.test-ssl-port", Integer.class);
    }

    private static SSLContext trusting(Path cert) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(cert)) {
            trust.setCertificateEntry("gateway", (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return ssl;
    }

    @Test
    void httpsHandshakeWithTheTestCertificateAndRefusalWithoutIt() throws Exception {
        URI page = URI.create("https://127.0.0.1:" + sslPort() + "/index.html");
        HttpResponse<String> ok = HttpClient.newBuilder().sslContext(trusting(CERT)).build()
                .send(HttpRequest.newBuilder(page).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).contains("sparrow-mesh");
        assertThat(ok.sslSession()).isPresent();
        assertThat(ok.sslSession().get().getPeerCertificates()[0].getEncoded()).isEqualTo(certificate().getEncoded());

        assertThatThrownBy(() -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(page).build(), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void grpcOverTlsOnTheSamePort() throws Exception {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", sslPort())
                .sslContext(GrpcSslContexts.forClient().trustManager(CERT.toFile()).build()).build();
        try {
            HealthCheckResponse health = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.getDefaultInstance());
            assertThat(health.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static X509Certificate certificate() throws Exception {
        try (InputStream in = Files.newInputStream(CERT)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }
}
