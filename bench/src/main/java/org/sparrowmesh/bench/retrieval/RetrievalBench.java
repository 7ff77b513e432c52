package org.sparrowmesh.bench.retrieval;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import org.sparrowmesh.proto.v1.RetrievalGrpc;
import org.sparrowmesh.proto.v1.SearchRequest;
import org.sparrowmesh.proto.v1.StatsRequest;
import org.sparrowmesh.retrieval.embedding.LocalEmbeddings;
import org.sparrowmesh.retrieval.evaluation.BeirDataset;
import org.sparrowmesh.retrieval.evaluation.BeirEvaluation;
import org.sparrowmesh.retrieval.index.PassageIndex;
import org.sparrowmesh.retrieval.search.SearchMode;
import org.sparrowmesh.retrieval.search.SearchQuery;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mesh bench retrieval DIR}: indexes a BEIR folder (passages/s), then runs every judged query
 * in each mode in-process and through the retrieval service over gRPC (the service and an encoder
 * service as child JVMs, the service opening the same index), printing queries/s and p50/p99.
 */
@Command(name = "bench retrieval", mixinStandardHelpOptions = true, description = "Search latency per mode, in-process and over gRPC.")
public final class RetrievalBench implements Callable<Integer> {

    @Parameters(paramLabel = "DIR", description = "A BEIR folder, e.g. ../shared/datasets/scifact (embedding takes ~9 min there) or xquad-en.")
    Path dataset;

    @Option(names = "--retrieval-jar", defaultValue = "retrieval-tool/server/target/quarkus-app/quarkus-run.jar")
    Path retrievalJar;

    @Option(names = "--encoder-jar", defaultValue = "encoder-service/server/target/quarkus-app/quarkus-run.jar")
    Path encoderJar;

    @Option(names = "--json", description = "One JSON document on stdout.")
    boolean json;

    public static void main(String[] args) {
        System.exit(new CommandLine(new RetrievalBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        BeirDataset data = BeirDataset.load(dataset);
        List<String> queries = new ArrayList<>(data.queries().values());
        Path folder = Files.createTempDirectory("retrieval-bench-");
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("dataset", data.name());
        document.put("queries", queries.size());
        Map<String, Object> inProcess = new LinkedHashMap<>();
        try (LocalEmbeddings embeddings = LocalEmbeddings.miniLm(); PassageIndex index = PassageIndex.open(folder)) {
            double passagesPerSecond = BeirEvaluation.index(data, index, embeddings, line -> System.err.print("\r" + line));
            System.err.println();
            document.put("indexing_passages_per_second", passagesPerSecond);
            for (SearchMode mode : SearchMode.values()) {
                long[] nanos = new long[queries.size()];
                for (int i = 0; i < queries.size(); i++) {
                    long start = System.nanoTime();
                    index.search(SearchQuery.of(queries.get(i), 10, mode), embeddings);
                    nanos[i] = System.nanoTime() - start;
                }
                inProcess.put(mode.name(), stats(nanos));
            }
        }
        document.put("in_process", inProcess);
        Map<String, Object> grpc = new LinkedHashMap<>();
        int encoderPort = freePort();
        int retrievalPort = freePort();
        Path log = Files.createTempFile("retrieval-bench", ".log");
        Process encoder = start(encoderJar, log, "-Dquarkus.http.port=" + encoderPort);
        Process retrieval = start(retrievalJar, log, "-Dquarkus.http.port=" + retrievalPort,
                "-Dmesh.retrieval.index-dir=" + folder, "-Dmesh.retrieval.demo-corpus=", "-Dmesh.retrieval.docs-consumer-enabled=false",
                "-Dquarkus.grpc.clients.encoder.port=" + encoderPort);
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", retrievalPort).usePlaintext().directExecutor().build();
        try {
            RetrievalGrpc.RetrievalBlockingStub stub = RetrievalGrpc.newBlockingStub(channel);
            awaitVectors(stub, encoder, retrieval, log);
            for (org.sparrowmesh.proto.v1.SearchMode mode : List.of(org.sparrowmesh.proto.v1.SearchMode.SEARCH_MODE_BM25,
                    org.sparrowmesh.proto.v1.SearchMode.SEARCH_MODE_VECTOR, org.sparrowmesh.proto.v1.SearchMode.SEARCH_MODE_HYBRID)) {
                long[] nanos = new long[queries.size()];
                for (int i = 0; i < queries.size(); i++) {
                    long start = System.nanoTime();
                    stub.search(SearchRequest.newBuilder().setQuery(queries.get(i)).setResultCount(10).setMode(mode).build());
                    nanos[i] = System.nanoTime() - start;
                }
                grpc.put(mode.name().substring("SEARCH_MODE_".length()), stats(nanos));
            }
        } finally {
            channel.shutdownNow();
            retrieval.destroy();
            encoder.destroy();
            retrieval.waitFor(20, TimeUnit.SECONDS);
            encoder.waitFor(20, TimeUnit.SECONDS);
        }
        document.put("grpc", grpc);
        System.err.printf("%s: %d queries, indexing %.1f passages/s%n", data.name(), queries.size(),
                (double) document.get("indexing_passages_per_second"));
        System.err.printf("%-8s %-10s %12s %10s %10s%n", "mode", "path", "queries/s", "p50 ms", "p99 ms");
        for (String mode : List.of("BM25", "VECTOR", "HYBRID")) {
            for (var side : List.of(Map.entry("in-process", inProcess), Map.entry("gRPC", grpc))) {
                @SuppressWarnings("unchecked")
                Map<String, Double> s = (Map<String, Double>) side.getValue().get(mode);
                System.err.printf("%-8s %-10s %12.1f %10.2f %10.2f%n", mode, side.getKey(), s.get("queries_per_second"),
                        s.get("p50_ms"), s.get("p99_ms"));
            }
        }
        if (json) {
            System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(document));
        }
        return 0;
    }

    private static void awaitVectors(RetrievalGrpc.RetrievalBlockingStub stub, Process encoder, Process retrieval, Path log)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (true) {
            try {
                stub.withDeadlineAfter(2, TimeUnit.SECONDS).stats(StatsRequest.getDefaultInstance());
                // the encoder answers too once a vector search does not fall back
                if (stub.withDeadlineAfter(5, TimeUnit.SECONDS).search(SearchRequest.newBuilder().setQuery("warm up")
                        .setMode(org.sparrowmesh.proto.v1.SearchMode.SEARCH_MODE_HYBRID).build()).getDegradedReason().isEmpty()) {
                    return;
                }
            } catch (RuntimeException notYet) {
                // starting
            }
            if (System.nanoTime() > deadline || !encoder.isAlive() || !retrieval.isAlive()) {
                throw new IOException("the retrieval or encoder service did not come up; see " + log);
            }
            Thread.sleep(250); // start-up polling, not a measurement
        }
    }

    private static Process start(Path jar, Path log, String... properties) throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new IOException("no service jar at " + jar + ": build it with ./mesh build");
        }
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"));
        command.addAll(List.of(properties));
        command.addAll(List.of("-jar", jar.toString()));
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static Map<String, Double> stats(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        double total = Arrays.stream(nanos).sum() / 1e9;
        Map<String, Double> s = new LinkedHashMap<>();
        s.put("queries_per_second", nanos.length / total);
        s.put("p50_ms", sorted[sorted.length / 2] / 1e6);
        s.put("p99_ms", sorted[(int) Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] / 1e6);
        return s;
    }
}
