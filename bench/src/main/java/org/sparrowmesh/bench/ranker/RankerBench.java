package org.sparrowmesh.bench.ranker;

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
import org.sparrowmesh.proto.v1.Candidate;
import org.sparrowmesh.proto.v1.CandidateOrigin;
import org.sparrowmesh.proto.v1.RankRequest;
import org.sparrowmesh.proto.v1.RankerGrpc;
import org.sparrowmesh.proto.v1.Snippet;
import org.sparrowmesh.ranker.model.PreferenceModel;
import org.sparrowmesh.ranker.rules.RuleBook;
import org.sparrowmesh.ranker.scoring.CandidateInput;
import org.sparrowmesh.ranker.scoring.Origin;
import org.sparrowmesh.ranker.scoring.RankInput;
import org.sparrowmesh.ranker.scoring.Ranker;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mesh bench ranker}: latency of one Rank call with 16 candidates and 5 snippets — the
 * engine in this JVM against the service over gRPC (a child JVM on a free port, no encoder: both
 * score lexically, so they do the same work) — p50 and p99 over the same requests.
 */
@Command(name = "bench ranker", mixinStandardHelpOptions = true, description = "Rank latency in-process and over gRPC.")
public final class RankerBench implements Callable<Integer> {

    @Option(names = "--calls", defaultValue = "2000", description = "Timed calls per side (default ${DEFAULT-VALUE}).")
    int calls;

    @Option(names = "--service-jar", defaultValue = "reward-ranker/server/target/quarkus-app/quarkus-run.jar")
    Path serviceJar;

    @Option(names = "--json", description = "One JSON document on stdout.")
    boolean json;

    public static void main(String[] args) {
        System.exit(new CommandLine(new RankerBench()).execute(args));
    }

    private static final String[] SNIPPETS = {
        "LaMDA is Google's conversational model from 2021, a GPT-like decoder pre-trained with causal language modelling.",
        "Sparrow is DeepMind's dialogue agent from 2022; it retrieves snippets of up to 500 characters from a search engine.",
        "BERT is Google's encoder model from 2018 with a WordPiece vocabulary of 30,000 entries.",
        "GPT-3 is OpenAI's 2020 decoder with a context of 2048 tokens that works in few-shot mode.",
        "PaLM is Google's large multilingual decoder from 2022, trained with Adafactor."};

    private static RankRequest request(int variant) {
        RankRequest.Builder r = RankRequest.newBuilder().setQuestion("Who introduced LaMDA, and in which year? (" + variant + ")");
        for (String s : SNIPPETS) {
            r.addEvidence(Snippet.newBuilder().setText(s));
        }
        for (int i = 0; i < 16; i++) {
            CandidateOrigin origin = i < 6 ? CandidateOrigin.CANDIDATE_ORIGIN_GENERATED
                    : i < 11 ? CandidateOrigin.CANDIDATE_ORIGIN_GENERATED_WITH_EVIDENCE : CandidateOrigin.CANDIDATE_ORIGIN_SEARCH_SNIPPET;
            String text = origin == CandidateOrigin.CANDIDATE_ORIGIN_SEARCH_SNIPPET ? SNIPPETS[i - 11]
                    : "LaMDA was introduced by Google in " + (2015 + i % 8) + ". It is a dialogue model that can call a search engine "
                            + "and a translator while it answers, candidate " + i + " of turn " + variant + ".";
            Candidate.Builder c = Candidate.newBuilder().setIndex(i).setText(text).setOrigin(origin);
            if (origin != CandidateOrigin.CANDIDATE_ORIGIN_SEARCH_SNIPPET) {
                c.setMeanLogProbability(-0.5 - i * 0.05);
            }
            r.addCandidates(c);
        }
        return r.build();
    }

    private static RankInput input(RankRequest r) {
        List<CandidateInput> candidates = new ArrayList<>();
        for (Candidate c : r.getCandidatesList()) {
            Origin origin = switch (c.getOrigin()) {
                case CANDIDATE_ORIGIN_GENERATED_WITH_EVIDENCE -> Origin.GENERATED_WITH_EVIDENCE;
                case CANDIDATE_ORIGIN_SEARCH_SNIPPET -> Origin.SEARCH_SNIPPET;
                default -> Origin.GENERATED;
            };
            candidates.add(new CandidateInput(c.getIndex(), c.getText(), origin, c.hasMeanLogProbability() ? c.getMeanLogProbability() : null));
        }
        return new RankInput(r.getQuestion(), r.getEvidenceList().stream().map(Snippet::getText).toList(), candidates);
    }

    @Override
    public Integer call() throws Exception {
        List<RankRequest> requests = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            requests.add(request(i));
        }
        Ranker ranker = new Ranker(PreferenceModel.bundled(), RuleBook.standard());
        long[] engine = new long[calls];
        for (int i = 0; i < calls / 4; i++) { // warm-up
            ranker.rank(input(requests.get(i % requests.size())), null);
        }
        for (int i = 0; i < calls; i++) {
            long start = System.nanoTime();
            ranker.rank(input(requests.get(i % requests.size())), null);
            engine[i] = System.nanoTime() - start;
        }
        long[] grpc = new long[calls];
        if (!Files.isRegularFile(serviceJar)) {
            throw new IOException("no ranker service jar at " + serviceJar + ": build it with ./mesh build");
        }
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        Path log = Files.createTempFile("ranker-bench", ".log");
        Process process = new ProcessBuilder(java, "--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-Dquarkus.http.port=" + port, "-Dquarkus.grpc.clients.encoder.port=1", "-jar", serviceJar.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().directExecutor().build();
        try {
            RankerGrpc.RankerBlockingStub stub = RankerGrpc.newBlockingStub(channel);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (true) {
                try {
                    stub.withDeadlineAfter(2, TimeUnit.SECONDS).rank(requests.get(0));
                    break;
                } catch (RuntimeException notYet) {
                    if (System.nanoTime() > deadline || !process.isAlive()) {
                        throw new IOException("the ranker service did not start; see " + log);
                    }
                    Thread.sleep(250); // start-up polling, not a measurement
                }
            }
            for (int i = 0; i < calls / 4; i++) {
                stub.rank(requests.get(i % requests.size()));
            }
            for (int i = 0; i < calls; i++) {
                long start = System.nanoTime();
                stub.rank(requests.get(i % requests.size()));
                grpc[i] = System.nanoTime() - start;
            }
        } finally {
            channel.shutdownNow();
            process.destroy();
            process.waitFor(20, TimeUnit.SECONDS);
        }
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("candidates", 16);
        document.put("snippets", 5);
        document.put("calls", calls);
        document.put("in_process", percentiles(engine));
        document.put("grpc", percentiles(grpc));
        System.err.printf("Rank, 16 candidates + 5 snippets, %d calls (lexical features, no encoder)%n", calls);
        System.err.printf("%-12s %10s %10s%n", "", "p50 ms", "p99 ms");
        System.err.printf("%-12s %10.3f %10.3f%n", "in-process", percentiles(engine).get("p50_ms"), percentiles(engine).get("p99_ms"));
        System.err.printf("%-12s %10.3f %10.3f%n", "gRPC", percentiles(grpc).get("p50_ms"), percentiles(grpc).get("p99_ms"));
        if (json) {
            System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(document));
        }
        return 0;
    }

    static Map<String, Double> percentiles(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        Map<String, Double> p = new LinkedHashMap<>();
        p.put("p50_ms", sorted[sorted.length / 2] / 1e6);
        p.put("p99_ms", sorted[(int) Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] / 1e6);
        return p;
    }
}
