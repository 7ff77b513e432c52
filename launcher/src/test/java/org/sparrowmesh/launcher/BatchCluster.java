package org.sparrowmesh.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import org.sparrowmesh.proto.v1.RetrievalGrpc;
import org.sparrowmesh.proto.v1.SearchRequest;

/**
 * The batch-answering part of the mesh as real child processes: a KRaft broker (kafka-local's
 * KafkaBrokerMain, 4 partitions per topic, data in a temporary folder), the retrieval tool over
 * the demo corpus (no encoder: BM25), and gateways answering mesh.questions, each under its own
 * instance id. Decoder and ranker are absent (their ports refuse), so answers come from the
 * evidence by the pipeline's fallback ordering. Every process is ours and is killed by close().
 */
final class BatchCluster implements AutoCloseable {

    static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final List<String> SERVICE_FLAGS = List.of("--add-modules=jdk.incubator.vector",
            "--enable-native-access=ALL-UNNAMED", "-Xmx512m");

    final Path state;
    final int kafkaPort = MeshFixture.freePort();
    final int controllerPort = MeshFixture.freePort();
    final int retrievalPort = MeshFixture.freePort();
    private final int deadPort = MeshFixture.freePort(); // nothing listens: decoder, encoder, ranker
    private Process broker;
    private Process retrieval;
    private final Map<String, Process> gateways = new HashMap<>();
    private final Map<String, Integer> gatewayPorts = new HashMap<>();
    private final List<Process> all = new ArrayList<>();

    BatchCluster() throws IOException {
        state = Files.createTempDirectory("mesh-batch-test-");
    }

    String bootstrap() {
        return "127.0.0.1:" + kafkaPort;
    }

    /** Starts the broker on the cluster's data folder and waits until it serves. */
    void startBroker() throws Exception {
        Path jar = ROOT.resolve("kafka-local/target/kafka-local.jar");
        broker = start("kafka", List.of(java(), "-Xmx768m", "-cp", jar + ":" + jar.resolveSibling("lib") + "/*",
                Component.KAFKA_MAIN_CLASS, "--data-dir", state.resolve("kafka").toString(), "--port", Integer.toString(kafkaPort),
                "--controller-port", Integer.toString(controllerPort), "--partitions", "4"), Map.of());
        awaitLog("kafka", "Kafka broker ready", broker, Duration.ofSeconds(90));
    }

    /** Stops the broker the way `mesh down` does (SIGTERM, its shutdown hook closes it) and waits until it is gone. */
    void stopBroker() throws Exception {
        broker.destroy();
        if (!broker.waitFor(60, TimeUnit.SECONDS)) {
            throw new AssertionError("the broker did not stop within 60 s");
        }
    }

    void startRetrieval() throws Exception {
        List<String> command = new ArrayList<>(List.of(java()));
        command.addAll(SERVICE_FLAGS);
        command.addAll(List.of("-Dquarkus.http.port=" + retrievalPort, "-jar",
                ROOT.resolve("retrieval-tool/server/target/quarkus-app/quarkus-run.jar").toString()));
        retrieval = start("retrieval", command, Map.of("MESH_ENCODER_PORT", Integer.toString(deadPort),
                "MESH_DEMO_CORPUS", ROOT.resolve("corpus/model-zoo").toString()));
        // ready when the demo corpus answers a search
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", retrievalPort).usePlaintext().build();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (retrieval.isAlive() && System.nanoTime() < deadline) {
                try {
                    if (RetrievalGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                            .search(SearchRequest.newBuilder().setQuery("LaMDA").setResultCount(1).build()).getSnippetsCount() > 0) {
                        return;
                    }
                } catch (io.grpc.StatusRuntimeException notYet) {
                    // starting
                }
                waitForExit(retrieval, 200);
            }
            throw new AssertionError("the retrieval tool did not serve the demo corpus:\n" + log("retrieval"));
        } finally {
            channel.shutdownNow();
        }
    }

    /** Waits up to {@code millis} for the process to exit: a bounded pause between polls that ends early on a crash. */
    private static void waitForExit(Process process, long millis) throws Exception {
        try {
            process.onExit().get(millis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException alive) {
            // still running
        }
    }

    /** Starts a gateway that answers batches as {@code instance}, and waits until it listens. */
    void startGateway(String instance, int maxInFlight) throws Exception {
        int port = gatewayPorts.computeIfAbsent(instance, i -> MeshFixture.freePort());
        List<String> command = new ArrayList<>(List.of(java()));
        command.addAll(SERVICE_FLAGS);
        command.addAll(List.of("-Dquarkus.http.port=" + port, "-Dmesh.batch.instance-id=" + instance,
                "-Dmesh.batch.max-in-flight=" + maxInFlight, "-Dmesh.batch.session-timeout=6s",
                "-Dquarkus.log.category.\"org.apache.kafka\".level=WARN",
                "-jar", ROOT.resolve("gateway/target/quarkus-app/quarkus-run.jar").toString()));
        Map<String, String> env = Map.of("MESH_RETRIEVAL_PORT", Integer.toString(retrievalPort),
                "MESH_DECODER_PORT", Integer.toString(deadPort), "MESH_RANKER_PORT", Integer.toString(deadPort));
        Process gateway = start("gateway-" + instance, command, env);
        gateways.put(instance, gateway);
        awaitLog("gateway-" + instance, "batch answering of mesh.questions as instance " + instance, gateway, Duration.ofSeconds(90));
    }

    int gatewayPort(String instance) {
        return gatewayPorts.get(instance);
    }

    /** kill -9: the JVM gets no chance to commit, abort or leave the group. */
    void killGateway(String instance) throws Exception {
        Process gateway = gateways.get(instance);
        gateway.destroyForcibly(); // SIGKILL on Linux
        if (!gateway.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("gateway " + instance + " survived SIGKILL");
        }
    }

    Process gateway(String instance) {
        return gateways.get(instance);
    }

    String log(String name) {
        try {
            return Files.readString(state.resolve(name + ".log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private Process start(String name, List<String> command, Map<String, String> env) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(state.resolve(name + ".log").toFile()));
        builder.environment().put("MESH_KAFKA_BOOTSTRAP", bootstrap());
        builder.environment().put("MESH_STATE_DIR", state.toString());
        builder.environment().putAll(env);
        Process process = builder.start();
        all.add(process);
        return process;
    }

    /** Waits (by polling the log file, with a deadline) until the process has written {@code line}. */
    private void awaitLog(String name, String line, Process process, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String log = log(name);
            if (log.indexOf(line) >= 0 && countOf(log, line) > seenBefore.getOrDefault(name, 0L)) {
                seenBefore.put(name, countOf(log, line));
                return;
            }
            if (!process.isAlive()) {
                throw new AssertionError(name + " exited with " + process.exitValue() + ":\n" + log);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(name + " did not log '" + line + "' within " + timeout + ":\n" + log);
            }
            waitForExit(process, 100);
        }
    }

    private final Map<String, Long> seenBefore = new HashMap<>();

    private static long countOf(String text, String line) {
        long n = 0;
        for (int i = text.indexOf(line); i >= 0; i = text.indexOf(line, i + 1)) {
            n++;
        }
        return n;
    }

    private static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    @Override
    public void close() {
        for (Process p : all) {
            p.destroyForcibly();
        }
        for (Process p : all) {
            try {
                p.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
