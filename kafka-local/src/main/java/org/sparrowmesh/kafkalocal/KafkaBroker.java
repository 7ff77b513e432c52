package org.sparrowmesh.kafkalocal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * One real Apache Kafka node in KRaft mode (combined broker + controller), running inside this
 * JVM. Formats its data folder on first start and reuses it afterwards, so records survive a
 * restart; creates the mesh topics once it is up.
 *
 * <p>Used in-process by tests ({@code KafkaBrokerExtension}) and in a child JVM by
 * {@code mesh up} ({@link KafkaBrokerMain}).
 */
public final class KafkaBroker implements AutoCloseable {

    private final BrokerSettings settings;
    private final KafkaRaftServer server;
    private boolean closed;

    private KafkaBroker(BrokerSettings settings, KafkaRaftServer server) {
        this.settings = settings;
        this.server = server;
    }

    /**
     * Formats {@code settings.dataDir()} when it is new, starts the node, and creates the mesh
     * topics that are missing. Returns once clients can produce and consume.
     *
     * @throws KafkaStartException when the folder cannot be formatted or the node does not start
     */
    public static KafkaBroker start(BrokerSettings settings) {
        Properties properties = settings.serverProperties();
        formatIfNew(settings, properties);
        KafkaRaftServer server;
        try {
            server = new KafkaRaftServer(KafkaConfig.fromProps(properties, false), Time.SYSTEM);
            server.startup();
        } catch (RuntimeException e) {
            throw new KafkaStartException("Kafka did not start on " + settings.bootstrapServers()
                    + " with data in " + settings.dataDir() + ": " + e.getMessage(), e);
        }
        KafkaBroker broker = new KafkaBroker(settings, server);
        try {
            MeshTopicCreator.createMissing(settings.bootstrapServers(), settings.topicPartitions(),
                    settings.topicRetention());
        } catch (RuntimeException e) {
            broker.close();
            throw new KafkaStartException("Kafka started but the mesh topics could not be created: "
                    + e.getMessage(), e);
        }
        return broker;
    }

    public BrokerSettings settings() {
        return settings;
    }

    /** {@code 127.0.0.1:port}. */
    public String bootstrapServers() {
        return settings.bootstrapServers();
    }

    /** Stops the node and waits until its ports and files are released. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.shutdown();
        server.awaitShutdown();
    }

    /**
     * KRaft refuses to start on an unformatted folder; a formatted one (it has meta.properties) keeps
     * its cluster id, records and SCRAM users, so it is left as it is.
     */
    private static void formatIfNew(BrokerSettings settings, Properties properties) {
        if (Files.exists(settings.dataDir().resolve("meta.properties"))) {
            return;
        }
        Path configFile = null;
        ByteArrayOutputStream toolOutput = new ByteArrayOutputStream();
        try {
            Files.createDirectories(settings.dataDir());
            configFile = Files.createTempFile("kafka-local-", ".properties");
            try (OutputStream out = Files.newOutputStream(configFile)) {
                properties.store(out, "written by kafka-local for kafka-storage format");
            }
            List<String> args = new ArrayList<>(List.of("format", "-t", Uuid.randomUuid().toString(), "-c", configFile.toString()));
            // the SCRAM user goes into the bootstrap metadata: known before the first client connects
            settings.scramTls().ifPresent(listener -> args.addAll(List.of("--add-scram", listener.scramCredential())));
            int exitCode = StorageTool.execute(args.toArray(String[]::new), new PrintStream(toolOutput, true, StandardCharsets.UTF_8));
            if (exitCode != 0) {
                throw new KafkaStartException("formatting " + settings.dataDir() + " failed: "
                        + toolOutput.toString(StandardCharsets.UTF_8).strip());
            }
        } catch (IOException e) {
            throw new KafkaStartException("cannot prepare the Kafka data folder " + settings.dataDir()
                    + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            if (e instanceof KafkaStartException) {
                throw e;
            }
            throw new KafkaStartException("formatting " + settings.dataDir() + " failed: " + e.getMessage()
                    + " " + toolOutput.toString(StandardCharsets.UTF_8).strip(), e);
        } finally {
            if (configFile != null) {
                try {
                    Files.deleteIfExists(configFile);
                } catch (IOException ignored) {
                    // a temp file left behind is harmless
                }
            }
        }
    }
}
