package org.sparrowmesh.gateway.events;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import org.sparrowmesh.kafkalocal.BrokerSettings;
import org.sparrowmesh.kafkalocal.KafkaBroker;

/**
 * A real KRaft broker (kafka-local) on free ports with a temporary data folder, for the gateway's
 * Quarkus tests. The running broker is reachable through {@link #broker()} so a test can stop and
 * restart it on the same folder.
 */
public class KafkaBrokerTestResource implements QuarkusTestResourceLifecycleManager {

    private static volatile BrokerSettings settings;
    private static volatile KafkaBroker broker;

    @Override
    public Map<String, String> start() {
        try {
            settings = BrokerSettings.onFreePorts(Files.createTempDirectory("gateway-test-kafka-"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        broker = KafkaBroker.start(settings);
        return Map.of("mesh.kafka.bootstrap-servers", settings.bootstrapServers());
    }

    @Override
    public void stop() {
        stopBroker();
    }

    /** The broker of the running test, null while stopped. */
    static KafkaBroker broker() {
        return broker;
    }

    static String bootstrapServers() {
        return settings.bootstrapServers();
    }

    static void stopBroker() {
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }

    static void startBroker() {
        broker = KafkaBroker.start(settings);
    }
}
