package org.sparrowmesh.kafkalocal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

/**
 * How to run one combined (broker + controller) KRaft node on loopback.
 *
 * @param dataDir         where the log segments and the KRaft metadata live; kept across restarts
 * @param port            the PLAINTEXT client port (bootstrap servers {@code 127.0.0.1:port})
 * @param controllerPort  the KRaft controller port
 * @param topicPartitions partitions of each mesh topic created at start
 * @param topicRetention  retention of each mesh topic created at start
 * @param overrides       extra broker properties, applied last (e.g. {@code log.flush.interval.messages})
 * @param scramTls        an extra SASL_SSL listener with SCRAM-SHA-512 beside the PLAINTEXT one; empty: none
 */
public record BrokerSettings(
        Path dataDir,
        int port,
        int controllerPort,
        int topicPartitions,
        Duration topicRetention,
        Map<String, String> overrides,
        Optional<ScramTlsListener> scramTls) {

    public static final int DEFAULT_PORT = 19092;
    public static final int DEFAULT_CONTROLLER_PORT = 19093;
    public static final int DEFAULT_PARTITIONS = 3;
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(7);

    public BrokerSettings {
        Objects.requireNonNull(dataDir, "dataDir");
        requirePort(port, "port");
        requirePort(controllerPort, "controller port");
        if (port == controllerPort) {
            throw new IllegalArgumentException("port and controller port must differ, both are " + port);
        }
        if (topicPartitions < 1 || topicPartitions > 1000) {
            throw new IllegalArgumentException("topic partitions must be within [1, 1000], got " + topicPartitions);
        }
        if (topicRetention.isNegative() || topicRetention.isZero()) {
            throw new IllegalArgumentException("topic retention must be positive, got " + topicRetention);
        }
        overrides = Map.copyOf(overrides);
        Objects.requireNonNull(scramTls, "scramTls");
        scramTls.ifPresent(listener -> {
            if (listener.port() == port || listener.port() == controllerPort) {
                throw new IllegalArgumentException("the SASL_SSL port must differ from the port and the controller port, got "
                        + listener.port());
            }
        });
    }

    /** Settings with the PLAINTEXT listener only. */
    public BrokerSettings(Path dataDir, int port, int controllerPort, int topicPartitions, Duration topicRetention,
            Map<String, String> overrides) {
        this(dataDir, port, controllerPort, topicPartitions, topicRetention, overrides, Optional.empty());
    }

    /** These settings with {@code listener} beside the PLAINTEXT listener. */
    public BrokerSettings withScramTls(ScramTlsListener listener) {
        return new BrokerSettings(dataDir, port, controllerPort, topicPartitions, topicRetention, overrides,
                Optional.of(listener));
    }

    /** The defaults of {@code mesh up}: ports 19092/19093, 3 partitions, 7 days. */
    public static BrokerSettings defaults(Path dataDir) {
        return new BrokerSettings(dataDir, DEFAULT_PORT, DEFAULT_CONTROLLER_PORT,
                DEFAULT_PARTITIONS, DEFAULT_RETENTION, Map.of());
    }

    /** Settings on two ports free right now, for tests; one partition keeps tests ordered. */
    public static BrokerSettings onFreePorts(Path dataDir) {
        return new BrokerSettings(dataDir, freePort(), freePort(), 1, DEFAULT_RETENTION, Map.of());
    }

    /** {@code 127.0.0.1:port}, what clients pass as {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** The server.properties of a single combined KRaft node with replication factors of 1. */
    Properties serverProperties() {
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", "1");
        p.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        String saslSsl = scramTls.map(listener -> ",SASL_SSL://127.0.0.1:" + listener.port()).orElse("");
        p.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort + saslSsl);
        p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port + saslSsl);
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"
                + (scramTls.isPresent() ? ",SASL_SSL:SASL_SSL" : ""));
        scramTls.ifPresent(listener -> {
            String prefix = "listener.name.sasl_ssl.";
            p.setProperty(prefix + "sasl.enabled.mechanisms", ScramTlsListener.MECHANISM);
            p.setProperty(prefix + "scram-sha-512.sasl.jaas.config",
                    "org.apache.kafka.common.security.scram.ScramLoginModule required;");
            p.setProperty(prefix + "ssl.keystore.type", "PKCS12");
            p.setProperty(prefix + "ssl.keystore.location", listener.tls().keystore().toAbsolutePath().toString());
            p.setProperty(prefix + "ssl.keystore.password", listener.tls().password());
            p.setProperty(prefix + "ssl.key.password", listener.tls().password());
        });
        p.setProperty("log.dirs", dataDir.toAbsolutePath().toString());
        p.setProperty("num.partitions", Integer.toString(topicPartitions));
        // One node: every internal topic must live with a single replica.
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("offsets.topic.num.partitions", "5");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("transaction.state.log.num.partitions", "5");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        // Consumers in tests and in `mesh` join at once instead of waiting 3 s for peers.
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        p.setProperty("auto.create.topics.enable", "false");
        overrides.forEach(p::setProperty);
        return p;
    }

    private static void requirePort(int port, String what) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(what + " must be within [1, 65535], got " + port);
        }
    }

    /** Ports this JVM has handed out: the OS may offer a port again once its probe socket closed. */
    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * A loopback port free right now and not handed out before by this JVM. Without the second
     * condition two calls in a row can return the same port (seen in CI: "port and controller port
     * must differ, both are 35217").
     */
    static int freePort() {
        for (int attempt = 0; attempt < 100; attempt++) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int port = socket.getLocalPort();
                if (HANDED_OUT.add(port)) {
                    return port;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot find a free port on loopback", e);
            }
        }
        throw new IllegalStateException("no loopback port free that this JVM has not handed out already");
    }
}
