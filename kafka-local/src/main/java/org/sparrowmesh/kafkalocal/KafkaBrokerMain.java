package org.sparrowmesh.kafkalocal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The embedded broker as its own JVM, as {@code mesh up} starts it: runs until SIGTERM, keeps its
 * data in {@code --data-dir} so events survive a restart.
 */
@Command(name = "kafka-local", mixinStandardHelpOptions = true,
        description = "Runs a single-node Apache Kafka broker (KRaft, broker + controller) on 127.0.0.1 "
                + "and creates the mesh topics.")
public final class KafkaBrokerMain implements Callable<Integer> {

    @Option(names = "--data-dir", required = true, description = "Folder of the log segments and KRaft metadata.")
    Path dataDir;

    @Option(names = "--port", defaultValue = "" + BrokerSettings.DEFAULT_PORT,
            description = "Client (PLAINTEXT) port. Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--controller-port", defaultValue = "" + BrokerSettings.DEFAULT_CONTROLLER_PORT,
            description = "KRaft controller port. Default: ${DEFAULT-VALUE}.")
    int controllerPort;

    @Option(names = "--partitions", defaultValue = "" + BrokerSettings.DEFAULT_PARTITIONS,
            description = "Partitions of each mesh topic created at start. Default: ${DEFAULT-VALUE}.")
    int partitions;

    @Option(names = "--retention-hours", defaultValue = "168",
            description = "Retention of each mesh topic created at start, in hours. Default: ${DEFAULT-VALUE}.")
    long retentionHours;

    public static void main(String[] args) {
        // Kafka logs through SLF4J to Log4j 2 here; our own file keeps it to what an operator needs.
        System.setProperty("log4j2.configurationFile", "classpath:kafka-local-log4j2.xml");
        int exitCode = new CommandLine(new KafkaBrokerMain())
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    cmd.getErr().println("kafka-local: " + e.getMessage());
                    return 1;
                })
                .execute(args);
        if (exitCode != 0) {
            System.exit(exitCode);
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        BrokerSettings settings = new BrokerSettings(dataDir, port, controllerPort, partitions,
                Duration.ofHours(retentionHours), Map.of());
        requireFree(settings.port(), "client");
        requireFree(settings.controllerPort(), "controller");

        KafkaBroker broker = KafkaBroker.start(settings);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.close();
            stopped.countDown();
        }, "kafka-local-shutdown"));
        System.out.println("Kafka broker ready on " + settings.bootstrapServers()
                + " (controller port " + settings.controllerPort() + ", data in " + dataDir.toAbsolutePath() + ")");
        System.out.flush();
        stopped.await();
        return 0;
    }

    /** A clear line instead of Kafka's bind exception deep in its startup. */
    private static void requireFree(int port, String what) {
        try (ServerSocket ignored = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            // free
        } catch (IOException e) {
            throw new KafkaStartException("the Kafka " + what + " port 127.0.0.1:" + port
                    + " is already in use by another process");
        }
    }
}
