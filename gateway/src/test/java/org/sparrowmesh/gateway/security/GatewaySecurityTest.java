package org.sparrowmesh.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sparrowmesh.gateway.events.KafkaBrokerTestResource;
import org.sparrowmesh.proto.v1.ChatGrpc;
import org.sparrowmesh.proto.v1.Turn;
import org.sparrowmesh.proto.v1.TurnEvent;

/**
 * The gateway with API keys on (one inline, one from a mounted file) and a per-key rate of 1 a
 * minute after a burst of 3: no key / wrong key → UNAUTHENTICATED and 401, the right key passes,
 * a fifth request of one key → RESOURCE_EXHAUSTED and 429 with a retry hint; the page's files and
 * /q/health stay open. And the gateway (like every internal service's config) is bound to loopback
 * by default: a non-loopback address of this machine refuses the connection.
 */
@QuarkusTest
@TestProfile(GatewaySecurityTest.Profile.class)
class GatewaySecurityTest {

    static final String INLINE_KEY = "inline-key-7f3a";
    static final String FILE_KEY = "file-key-91c2";

    public static final class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                Path file = Files.createDirectories(Path.of("target/security-test")).resolve("api-keys");
                Files.writeString(file, "# mounted secret\n\n" + FILE_KEY + "\n" + "rate-http-key\nrate-grpc-key\n");
                return Map.of("mesh.security.api-keys-enabled", "true", "mesh.security.api-keys", INLINE_KEY,
                        "mesh.security.api-keys-file", file.toAbsolutePath().toString(),
                        "mesh.security.rate-limit-per-minute", "1", "mesh.security.rate-limit-burst", "4");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(KafkaBrokerTestResource.class));
        }
    }

    private int port;
    private ManagedChannel channel;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void open() {
        port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    }

    @AfterEach
    void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private List<TurnEvent> ask(String key) {
        ChatGrpc.ChatBlockingStub chat = ChatGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
        if (key != null) {
            Metadata headers = new Metadata();
            headers.put(Metadata.Key.of("x-api-key", Metadata.ASCII_STRING_MARSHALLER), key);
            chat = chat.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
        }
        List<TurnEvent> events = new ArrayList<>();
        chat.ask(Turn.newBuilder().setText("Who made BERT?").build()).forEachRemaining(events::add);
        return events;
    }

    private HttpResponse<String> post(String key, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header("authorization", "Bearer " + key);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void grpcWithoutOrWithAWrongKeyIsUnauthenticatedAndTheRightKeyPasses() {
        for (String bad : new String[] {null, "wrong-key", INLINE_KEY + "x", ""}) {
            assertThatThrownBy(() -> ask(bad)).as("key %s", bad).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
                assertThat(e.getStatus().getDescription()).contains("API key");
            });
        }
        assertThat(ask(INLINE_KEY).getLast().hasStatus()).isTrue();
        assertThat(ask(FILE_KEY).getLast().hasStatus()).isTrue();
    }

    @Test
    void httpWithoutOrWithAWrongKeyIs401AndTheRightKeyStreamsTheTurn() throws Exception {
        for (String bad : new String[] {null, "wrong-key"}) {
            HttpResponse<String> refused = post(bad, "/api/turns", "{\"text\": \"Who made BERT?\"}");
            assertThat(refused.statusCode()).as("key %s", bad).isEqualTo(401);
            assertThat(refused.headers().firstValue("www-authenticate")).isPresent();
            assertThat(refused.body()).contains("\"code\":\"unauthenticated\"").doesNotContain("Exception");
        }
        assertThat(get("/q/metrics").statusCode()).isEqualTo(401);
        HttpResponse<String> ok = post(INLINE_KEY, "/api/turns", "{\"text\": \"Who made BERT?\", \"conversationId\": \"web-1\"}");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
        assertThat(ok.body()).contains("event: status").contains("\"conversationId\":\"web-1\"");
        // bad input at the edge is a 400 naming the problem, not a stream
        HttpResponse<String> bad = post(FILE_KEY, "/api/turns", "{\"text\": \"" + "x".repeat(9000) + "\"}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("at most 8000");
        // the page itself and the probes need no key
        assertThat(get("/").statusCode()).isEqualTo(200);
        assertThat(get("/chat.js").statusCode()).isEqualTo(200);
        assertThat(get("/q/health/ready").statusCode()).isEqualTo(200);
    }

    @Test
    void aKeyOverItsRateIsRefusedWithARetryHint() throws Exception {
        for (int i = 0; i < 4; i++) {
            assertThat(post("rate-http-key", "/api/turns", "{\"text\": \"   \"}").statusCode()).isEqualTo(400);
        }
        HttpResponse<String> limited = post("rate-http-key", "/api/turns", "{\"text\": \"hi\"}");
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("retry-after")).hasValueSatisfying(s -> assertThat(Long.parseLong(s)).isBetween(1L, 60L));
        assertThat(limited.body()).contains("retry after");

        for (int i = 0; i < 4; i++) {
            ask("rate-grpc-key");
        }
        assertThatThrownBy(() -> ask("rate-grpc-key")).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(e.getStatus().getDescription()).contains("retry after");
            assertThat(e.getTrailers().get(ApiKeyGrpcInterceptor.RETRY_AFTER)).isNotNull();
        });
        // another key is not affected
        assertThat(ask(INLINE_KEY).getLast().hasStatus()).isTrue();
    }

    @Test
    void theGatewayIsNotReachableOnANonLoopbackAddressByDefault() throws Exception {
        Optional<InetAddress> external = NetworkInterface.networkInterfaces().filter(this::up)
                .flatMap(NetworkInterface::inetAddresses).filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress()).findFirst();
        assumeTrue(external.isPresent(), "this machine has no non-loopback IPv4 address to try");
        try (Socket loopback = new Socket()) {
            loopback.connect(new InetSocketAddress("127.0.0.1", port), 2000);   // it does listen
        }
        assertThatThrownBy(() -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(external.get(), port), 2000);
            }
        }).as("connecting to %s:%d", external.get(), port).isInstanceOf(ConnectException.class);
    }

    @Test
    void everyInternalServiceBindsLoopbackUnlessConfigured() throws IOException {
        Pattern host = Pattern.compile("(?m)^quarkus\\.(http|grpc\\.server)\\.host=(.*)$");
        for (String service : List.of("decoder-service/server", "encoder-service/server", "retrieval-tool/server", "reward-ranker/server", "gateway")) {
            String properties = Files.readString(Path.of("..", service, "src/main/resources/application.properties"));
            // gRPC shares the HTTP server, so the HTTP host is gRPC's too
            assertThat(properties).as(service).contains("quarkus.grpc.server.use-separate-server=false");
            Matcher m = host.matcher(properties);
            assertThat(m.find()).as("%s sets quarkus.http.host", service).isTrue();
            do {
                assertThat(m.group(2).strip()).as(service).isEqualTo("${MESH_BIND_HOST:127.0.0.1}");
            } while (m.find());
        }
    }

    @Test
    void theLogHoldsNeitherTheTurnTextNorTheAnswer() throws Exception {
        String secret = "Zanzibar-marmalade-" + System.nanoTime();
        List<String> logged = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                logged.add(r.getMessage() + " " + java.util.Arrays.toString(r.getParameters()) + " " + r.getThrown());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.addHandler(capture);
        try {
            HttpResponse<String> turn = post(FILE_KEY, "/api/turns", "{\"text\": \"Tell me about " + secret + "\"}");
            assertThat(turn.body()).contains("event: status");
            // the capture does see the application's log
            org.jboss.logging.Logger.getLogger("org.sparrowmesh.gateway").info("capture-check");
        } finally {
            root.removeHandler(capture);
        }
        assertThat(logged).as("the capture works").anyMatch(line -> line.contains("capture-check"));
        assertThat(logged).as("log records of the turn").noneMatch(line -> line.contains(secret));
    }

    private boolean up(NetworkInterface nic) {
        try {
            return nic.isUp() && !nic.isLoopback();
        } catch (IOException e) {
            return false;
        }
    }
}
