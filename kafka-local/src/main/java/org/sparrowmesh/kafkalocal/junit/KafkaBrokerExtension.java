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

/**
 * A real Kafka broker for the tests of one class, on free ports with a temporary data folder:
 * <pre>{@code
 * @RegisterExtension
 * static final KafkaBrokerExtension kafka = new KafkaBrokerExtension();
 * ... kafka.bootstrapServers() ...
 * }</pre>
 * {@link #restart()} stops the broker and starts it again on the same folder and ports.
 */
public final class KafkaBrokerExtension implements BeforeAllCallback, AfterAllCallback {

    private BrokerSettings settings;
    private KafkaBroker broker;

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        settings = BrokerSettings.onFreePorts(Files.createTempDirectory("kafka-local-test-"));
        broker = KafkaBroker.start(settings);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop();
        deleteRecursively(settings.dataDir());
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
