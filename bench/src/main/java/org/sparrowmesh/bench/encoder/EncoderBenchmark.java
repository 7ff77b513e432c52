package org.sparrowmesh.bench.encoder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.grpc.ManagedChannel;
import org.sparrowmesh.encoder.batching.BatchListener;
import org.sparrowmesh.encoder.batching.BatcherSettings;
import org.sparrowmesh.encoder.embedding.Embedder;
import org.sparrowmesh.encoder.embedding.InputType;
import org.sparrowmesh.encoder.embedding.Prefixes;
import org.sparrowmesh.encoder.engine.ModelSpec;
import org.sparrowmesh.encoder.engine.SentenceEncoder;
import org.sparrowmesh.proto.v1.EmbedRequest;
import org.sparrowmesh.proto.v1.EncoderGrpc;

/**
 * Encoder throughput (texts/s) of all-MiniLM-L6-v2, against its baseline in the same run:
 * ONNX Runtime called directly ({@link DirectOnnx}: tokenize, run, pool, normalise) versus the
 * service's engine ({@link Embedder}: limits, micro-batcher thread, pooling, normalising), at
 * batch 1, 8 and 32 from one caller and with 16 concurrent single-text callers; then, if the
 * service jar is built, the same through gRPC against a started service.
 *
 * <p>The engine runs with the service's defaults (max-wait 0, 2 workers); {@code -Dbench.max-wait-ms}
 * and {@code -Dbench.workers} try others.
 *
 * <p>Each configuration runs {@code --rounds} times, direct and engine alternating, and the
 * median is reported: other work on a shared 2-core machine moves single runs a lot.
 *
 * <pre>java -cp bench/target/benchmarks.jar org.sparrowmesh.bench.encoder.EncoderBenchmark
 *     [--seconds 3] [--rounds 3] [--service-jar encoder-service/server/target/quarkus-app/quarkus-run.jar|none] [--json]</pre>
 */
public final class EncoderBenchmark {

    /** Sentences of 6–30 words, cycled: the kind of passages and questions the mesh embeds. */
    static final List<String> CORPUS = List.of(
            "The cat sits on the mat.",
            "Sparrow answers questions with evidence it found on the web and cites its sources.",
            "How do I reset my password if I no longer have access to my email account?",
            "Quantum entanglement links the states of two particles across any distance.",
            "The committee will publish its final report on renewable energy subsidies next spring.",
            "Which river flows through Vienna, Budapest and Belgrade before reaching the Black Sea?",
            "Photosynthesis converts light energy into chemical energy stored in glucose molecules.",
            "A man is playing a guitar on stage in front of a large and enthusiastic crowd.",
            "Reinforcement learning from human feedback trains a reward model on preference comparisons.",
            "The Treaty of Westphalia ended the Thirty Years' War in 1648.",
            "What is the boiling point of water at an altitude of three thousand metres?",
            "Lucene combines BM25 scoring with approximate nearest-neighbour search over dense vectors.",
            "She walked along the beach at sunset, collecting shells and listening to the waves.",
            "Interest rates rose for the fourth consecutive quarter as inflation remained stubbornly high.",
            "Mitochondria produce most of the chemical energy needed to power a cell's reactions.",
            "Who painted the ceiling of the Sistine Chapel, and how long did the work take?");

    private static final int CONCURRENT_CLIENTS = 16;

    private final Duration measure;
    private final int rounds;
    private final boolean jsonOnly;
    private final List<Row> rows = new ArrayList<>();
    private final Duration maxWait = Duration.ofMillis(Long.getLong("bench.max-wait-ms", 0));
    private final int workers = Integer.getInteger("bench.workers", 2);

    /** One line of the table: a configuration and the median texts/s of each path. */
    record Row(String configuration, double direct, double engine, double grpc) {
    }

    private EncoderBenchmark(Duration measure, int rounds, boolean jsonOnly) {
        this.measure = measure;
        this.rounds = rounds;
        this.jsonOnly = jsonOnly;
    }

    /** A unit of work: embeds some texts, returns how many. */
    @FunctionalInterface
    interface Work {
        int run(int offset) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = parse(args);
        Duration seconds = Duration.ofSeconds(Long.parseLong(options.getOrDefault("--seconds", "3")));
        int rounds = Integer.parseInt(options.getOrDefault("--rounds", "3"));
        boolean json = options.containsKey("--json");
        String jar = options.getOrDefault("--service-jar", "encoder-service/server/target/quarkus-app/quarkus-run.jar");
        new EncoderBenchmark(seconds, rounds, json).run(jar.equals("none") ? null : Path.of(jar));
    }

    private void run(Path serviceJar) throws Exception {
        ModelSpec spec = ModelSpec.allMiniLmL6V2();
        say("encoder benchmark: %s, %d cores, %s x %d rounds per configuration, JDK %s; engine: max-wait %s, %d worker(s)%n",
                spec.name(), Runtime.getRuntime().availableProcessors(), measure, rounds, Runtime.version(), maxWait, workers);
        try (DirectOnnx direct = new DirectOnnx(spec);
             SentenceEncoder encoder = SentenceEncoder.load(spec);
             Embedder engine = Embedder.over(encoder, true, Prefixes.NONE,
                     new BatcherSettings(32, maxWait, 4096, workers, "bench-batcher"), BatchListener.NONE)) {
            Work[] directAt = new Work[33];
            Work[] engineAt = new Work[33];
            for (int batch : new int[] {1, 8, 32}) {
                directAt[batch] = offset -> direct.embed(slice(offset, batch)).length;
                engineAt[batch] = offset -> engine.embed(slice(offset, batch), InputType.PASSAGE, null).get().size();
            }
            // warm-up: JIT, ONNX Runtime's allocator arenas for every shape class
            for (int batch : new int[] {1, 8, 32}) {
                throughput(directAt[batch], 1, Duration.ofSeconds(1));
                throughput(engineAt[batch], 1, Duration.ofSeconds(1));
            }
            for (int batch : new int[] {1, 8, 32}) {
                double[] pair = alternate(directAt[batch], engineAt[batch], 1);
                rows.add(new Row("batch " + batch + ", 1 caller", pair[0], pair[1], Double.NaN));
                say("  %-34s direct %8.1f  engine %8.1f texts/s%n", rows.getLast().configuration(), pair[0], pair[1]);
            }
            double[] concurrent = alternate(directAt[1], engineAt[1], CONCURRENT_CLIENTS);
            rows.add(new Row(CONCURRENT_CLIENTS + " callers x 1 text", concurrent[0], concurrent[1], Double.NaN));
            say("  %-34s direct %8.1f  engine %8.1f texts/s%n", rows.getLast().configuration(), concurrent[0], concurrent[1]);
        }
        if (serviceJar != null && Files.isRegularFile(serviceJar)) {
            grpc(serviceJar);
        } else {
            say("  gRPC rows skipped: no service jar at %s (build encoder-service first, or pass --service-jar)%n", serviceJar);
        }
        report();
    }

    /** Through gRPC against the real service in a child JVM (it loads its own model copy). */
    private void grpc(Path jar) throws Exception {
        Path log = Path.of(System.getProperty("java.io.tmpdir"), "encoder-benchmark-service.log");
        say("  starting %s (log: %s)%n", jar, log);
        try (ServiceProcess service = ServiceProcess.start(jar, log)) {
            List<ManagedChannel> channels = new ArrayList<>();
            for (int i = 0; i < CONCURRENT_CLIENTS; i++) {
                channels.add(service.channel());
            }
            try {
                AtomicLong next = new AtomicLong();
                Work batch32 = offset -> call(channels.get(0), slice(offset, 32));
                // every concurrent caller has its own channel (its own HTTP/2 connection)
                Work single = offset -> call(channels.get((int) (next.getAndIncrement() % CONCURRENT_CLIENTS)), slice(offset, 1));
                throughput(batch32, 1, Duration.ofSeconds(2));
                throughput(single, CONCURRENT_CLIENTS, Duration.ofSeconds(2));
                double b32 = median(batch32, 1);
                double c16 = median(single, CONCURRENT_CLIENTS);
                replace("batch 32, 1 caller", b32);
                replace(CONCURRENT_CLIENTS + " callers x 1 text", c16);
                say("  gRPC: batch 32 %8.1f texts/s; %d clients x 1 text %8.1f texts/s%n", b32, CONCURRENT_CLIENTS, c16);
            } finally {
                channels.forEach(ManagedChannel::shutdownNow);
            }
        }
    }

    private static int call(ManagedChannel channel, List<String> texts) {
        return EncoderGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)
                .embed(EmbedRequest.newBuilder().addAllTexts(texts).build()).getEmbeddingsCount();
    }

    private void replace(String configuration, double grpc) {
        for (int i = 0; i < rows.size(); i++) {
            Row row = rows.get(i);
            if (row.configuration().equals(configuration)) {
                rows.set(i, new Row(row.configuration(), row.direct(), row.engine(), grpc));
            }
        }
    }

    /** Median texts/s of direct and engine over the rounds, alternating which goes first. */
    private double[] alternate(Work direct, Work engine, int callers) throws Exception {
        double[] d = new double[rounds];
        double[] e = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            if (r % 2 == 0) {
                d[r] = throughput(direct, callers, measure);
                e[r] = throughput(engine, callers, measure);
            } else {
                e[r] = throughput(engine, callers, measure);
                d[r] = throughput(direct, callers, measure);
            }
        }
        return new double[] {median(d), median(e)};
    }

    private double median(Work work, int callers) throws Exception {
        double[] samples = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            samples[r] = throughput(work, callers, measure);
        }
        return median(samples);
    }

    private static double median(double[] samples) {
        double[] sorted = samples.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /** Texts/s of {@code callers} threads running {@code work} in a closed loop for {@code length}. */
    private static double throughput(Work work, int callers, Duration length) throws Exception {
        AtomicLong texts = new AtomicLong();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        Exception[] failure = new Exception[1];
        long[] window = new long[2];
        for (int c = 0; c < callers; c++) {
            int caller = c;
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                    int offset = caller * 7;
                    while (System.nanoTime() < window[1]) {
                        int n = work.run(offset);
                        texts.addAndGet(n);
                        offset += n;
                    }
                } catch (Exception e) {
                    failure[0] = e;
                }
            }));
        }
        window[0] = System.nanoTime();
        window[1] = window[0] + length.toNanos();
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        if (failure[0] != null) {
            throw failure[0];
        }
        // the last calls may end after the window: divide by the real elapsed time
        return texts.get() / ((System.nanoTime() - window[0]) / 1e9);
    }

    private static List<String> slice(int offset, int size) {
        List<String> texts = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            texts.add(CORPUS.get(Math.floorMod(offset + i, CORPUS.size())));
        }
        return texts;
    }

    private void report() {
        StringBuilder table = new StringBuilder();
        table.append(String.format(Locale.ROOT, "%n| configuration | direct ONNX Runtime (texts/s) | service engine (texts/s) | engine / direct | gRPC service (texts/s) | gRPC / direct |%n"));
        table.append("|---|---|---|---|---|---|\n");
        for (Row row : rows) {
            table.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.2f | %s | %s |%n", row.configuration(),
                    row.direct(), row.engine(), row.engine() / row.direct(),
                    Double.isNaN(row.grpc()) ? "—" : String.format(Locale.ROOT, "%.1f", row.grpc()),
                    Double.isNaN(row.grpc()) ? "—" : String.format(Locale.ROOT, "%.2f", row.grpc() / row.direct())));
        }
        Row b32 = rows.stream().filter(r -> r.configuration().startsWith("batch 32")).findFirst().orElseThrow();
        double ratio = b32.engine() / b32.direct();
        table.append(String.format(Locale.ROOT, "%nservice engine / direct at batch 32: %.2f (target >= 0.80: %s)%n",
                ratio, ratio >= 0.80 ? "met" : "NOT met"));
        if (!Double.isNaN(b32.grpc())) {
            table.append(String.format(Locale.ROOT, "gRPC service / direct at batch 32: %.2f%n", b32.grpc() / b32.direct()));
        }
        if (jsonOnly) {
            System.err.print(table);
        } else {
            System.out.print(table);
        }
        StringBuilder json = new StringBuilder("{\"benchmark\":\"encoder\",\"model\":\"sentence-transformers/all-MiniLM-L6-v2\"");
        json.append(String.format(Locale.ROOT, ",\"cores\":%d,\"seconds_per_round\":%d,\"rounds\":%d,\"rows\":[",
                Runtime.getRuntime().availableProcessors(), measure.toSeconds(), rounds));
        for (int i = 0; i < rows.size(); i++) {
            Row row = rows.get(i);
            json.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT,
                    "{\"configuration\":\"%s\",\"direct_texts_per_s\":%.1f,\"engine_texts_per_s\":%.1f,\"grpc_texts_per_s\":%s}",
                    row.configuration(), row.direct(), row.engine(),
                    Double.isNaN(row.grpc()) ? "null" : String.format(Locale.ROOT, "%.1f", row.grpc())));
        }
        json.append(String.format(Locale.ROOT, "],\"engine_over_direct_batch32\":%.3f", ratio));
        json.append(Double.isNaN(b32.grpc()) ? ",\"grpc_over_direct_batch32\":null"
                : String.format(Locale.ROOT, ",\"grpc_over_direct_batch32\":%.3f", b32.grpc() / b32.direct()));
        json.append("}");
        System.out.println(json);
    }

    private void say(String format, Object... args) {
        (jsonOnly ? System.err : System.out).printf(Locale.ROOT, format, args);
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--json" -> options.put("--json", "true");
                case "--seconds", "--rounds", "--service-jar" -> {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException(args[i] + " needs a value");
                    }
                    options.put(args[i], args[++i]);
                }
                case "-h", "--help" -> {
                    System.out.println("usage: EncoderBenchmark [--seconds 3] [--rounds 3] "
                            + "[--service-jar encoder-service/server/target/quarkus-app/quarkus-run.jar|none] [--json]");
                    System.exit(0);
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (see --help)");
            }
        }
        return options;
    }
}
