package org.sparrowmesh.kafkalocal.junit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.sparrowmesh.kafkalocal.BrokerSettings;
import org.sparrowmesh.kafkalocal.KafkaBroker;
import org.sparrowmesh.kafkalocal.ScramTlsListener;
import org.sparrowmesh.kafkalocal.TlsStores;

/**
 * A real Kafka broker for the tests of one class, on free ports with a temporary data folder:
 * <pre>{@code
 * @RegisterExtension
 * static final KafkaBrokerExtension kafka = new KafkaBrokerExtension();
 * ... kafka.bootstrapServers() ...
 * }</pre>
 * {@link #restart()} stops the broker and starts it again on the same folder and ports.
 * {@link #withScramTls} adds a SASL_SSL listener with SCRAM-SHA-512 and a self-signed certificate.
 */
public final class KafkaBrokerExtension implements BeforeAllCallback, AfterAllCallback {

    private final String scramUsername;
    private final String scramPassword;
    private Path tlsDir;
    private BrokerSettings settings;
    private KafkaBroker broker;

    /** A broker with its PLAINTEXT listener only. */
    public KafkaBrokerExtension() {
        this(null, null);
    }

    private KafkaBrokerExtension(String scramUsername, String scramPassword) {
        this.scramUsername = scramUsername;
        this.scramPassword = scramPassword;
    }

    /**
     * A broker that also has a SASL_SSL listener with SCRAM-SHA-512 knowing one user, as Strimzi's
     * TLS listener; {@link #scramTls()} gives its address and the clients' trust store.
     */
    public static KafkaBrokerExtension withScramTls(String username, String password) {
        return new KafkaBrokerExtension(username, password);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        settings = BrokerSettings.onFreePorts(Files.createTempDirectory("kafka-local-test-"));
        if (scramUsername != null) {
            tlsDir = Files.createTempDirectory("kafka-local-tls-");
            settings = settings.withScramTls(
                    ScramTlsListener.onFreePort(TlsStores.selfSigned(tlsDir), scramUsername, scramPassword));
        }
        broker = KafkaBroker.start(settings);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop();
        deleteRecursively(settings.dataDir());
        if (tlsDir != null) {
            deleteRecursively(tlsDir);
        }
    }

    /** The SASL_SSL listener of a broker made by {@link #withScramTls}. */
    public ScramTlsListener scramTls() {
        return settings.scramTls().orElseThrow(() -> new IllegalStateException(
                "this broker has no SASL_SSL listener: register KafkaBrokerExtension.withScramTls(user, password)"));
    }

    public String bootstrapServers() {
        return settings.bootstrapServers();
    }

    public BrokerSettings settings() {
        return settings;
    }

    /** Stops the broker (waiting until it is down), then starts it on the same data folder. */
    public void restart() {
        stop();
        broker = KafkaBroker.start(settings);
    }

    /** Stops the broker; {@link #restart()} brings it back. */
    public void stop() {
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }

    static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
