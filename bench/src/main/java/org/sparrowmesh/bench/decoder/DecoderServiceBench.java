package org.sparrowmesh.bench.decoder;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import org.sparrowmesh.decoder.engine.gguf.GGUFFile;
import org.sparrowmesh.decoder.engine.gguf.GgmlType;
import org.sparrowmesh.decoder.engine.gguf.ModelShape;
import org.sparrowmesh.decoder.engine.gguf.RandomModel;
import org.sparrowmesh.decoder.engine.model.ForwardPass;
import org.sparrowmesh.decoder.engine.model.KeyValuePrecision;
import org.sparrowmesh.decoder.engine.model.Llama;
import org.sparrowmesh.decoder.engine.sampling.SamplingParameters;
import org.sparrowmesh.decoder.engine.scheduler.GenerationJob;
import org.sparrowmesh.decoder.engine.scheduler.GenerationListener;
import org.sparrowmesh.decoder.engine.scheduler.RequestUsage;
import org.sparrowmesh.decoder.engine.scheduler.SampleOutcome;
import org.sparrowmesh.decoder.engine.scheduler.Scheduler;
import org.sparrowmesh.decoder.engine.scheduler.SchedulerSettings;
import org.sparrowmesh.decoder.engine.scheduler.StepObserver;
import org.sparrowmesh.decoder.engine.scheduler.TokenEvent;
import org.sparrowmesh.decoder.engine.tokenizer.Tokenizer;
import org.sparrowmesh.proto.v1.DecoderGrpc;
import org.sparrowmesh.proto.v1.GenerateEvent;
import org.sparrowmesh.proto.v1.GenerateRequest;
import org.sparrowmesh.proto.v1.ModelInfoRequest;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mesh bench decoder-service}: what the service layer costs. For 1, 8 and 32 concurrent
 * streams, aggregate decode tokens/s of the engine's scheduler called directly in this JVM against
 * the same model and limits served by the decoder service (a child JVM) over gRPC, measured
 * alternately in the same run; the ratio is the service's share of the cost.
 */
@Command(name = "bench decoder-service", mixinStandardHelpOptions = true,
        description = "Aggregate tokens/s through the decoder service's gRPC API vs the engine's scheduler directly.")
public final class DecoderServiceBench implements java.util.concurrent.Callable<Integer> {

    @Option(names = "--model", description = "A GGUF model (default: a generated 512-wide, 8-layer Q8_0 llama with a 32000-token vocabulary).")
    Path model;

    @Option(names = "--vocab", required = true, description = "A GGUF whose vocabulary a generated model copies.")
    Path vocabulary;

    @Option(names = "--cache", defaultValue = ".mesh/bench-models", description = "Folder of generated models.")
    Path cache;

    @Option(names = "--service-jar", defaultValue = "decoder-service/server/target/quarkus-app/quarkus-run.jar")
    Path serviceJar;

    @Option(names = "--clients", split = ",", defaultValue = "1,8,32", description = "Concurrent streams (default ${DEFAULT-VALUE}).")
    List<Integer> clients;

    @Option(names = "--tokens", defaultValue = "64", description = "Tokens per stream (default ${DEFAULT-VALUE}).")
    int tokens;

    @Option(names = "--rounds", defaultValue = "2", description = "Alternating rounds; the best of each side counts (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--json", description = "Print one JSON document on stdout (the table goes to stderr).")
    boolean json;

    private static final String PROMPT = "Once upon a time, in a small town by the sea,";
    // the service's defaults (decoder-service application.properties)
    private static final int MAX_RUNNING = 32;
    private static final int PREFILL_CHUNK = 32;
    private static final int CONTEXT = 2048;

    public static void main(String[] args) {
        System.exit(new CommandLine(new DecoderServiceBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path file = model != null ? model : smallModel();
        List<Map<String, Object>> rows = new ArrayList<>();
        Path log = Files.createTempFile("decoder-service-bench", ".log");
        try (GGUFFile gguf = GGUFFile.open(file);
                ForwardPass pass = new ForwardPass(Llama.load(gguf), MAX_RUNNING + PREFILL_CHUNK);
                Scheduler scheduler = new Scheduler(pass, Tokenizer.fromGGUF(gguf.metadata()),
                        new SchedulerSettings(MAX_RUNNING, 256, PREFILL_CHUNK, 4L << 30, CONTEXT, KeyValuePrecision.F32),
                        StepObserver.NONE);
                Service service = Service.start(serviceJar, file, log)) {
            int[] prompt = Tokenizer.fromGGUF(gguf.metadata()).encode(PROMPT, true, false);
            log("model %s; %d tokens per stream; service log %s", file.getFileName(), tokens, log);
            // both JVMs compile the kernels and the serving path before anything is timed
            int most = clients.stream().mapToInt(Integer::intValue).max().orElse(1);
            engineRun(scheduler, prompt, most);
            grpcRun(service, most);
            log("%8s %16s %16s %8s", "streams", "engine tok/s", "service tok/s", "ratio");
            for (int streams : clients) {
                double engine = 0;
                double viaGrpc = 0;
                engineRun(scheduler, prompt, streams); // warm-up
                grpcRun(service, streams);
                for (int round = 0; round < rounds; round++) {
                    engine = Math.max(engine, engineRun(scheduler, prompt, streams));
                    viaGrpc = Math.max(viaGrpc, grpcRun(service, streams));
                }
                log("%8d %16.1f %16.1f %8.3f", streams, engine, viaGrpc, viaGrpc / engine);
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("streams", streams);
                row.put("engine_tokens_per_second", engine);
                row.put("service_tokens_per_second", viaGrpc);
                row.put("service_over_engine", viaGrpc / engine);
                rows.add(row);
            }
        }
        if (json) {
            Map<String, Object> document = new LinkedHashMap<>();
            document.put("model", file.getFileName().toString());
            document.put("tokens_per_stream", tokens);
            document.put("results", rows);
            System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(document));
        }
        return 0;
    }

    private Path smallModel() throws IOException {
        Files.createDirectories(cache);
        Path file = cache.resolve("llama-512x8-random-q8_0.gguf");
        if (!Files.exists(file)) {
            log("writing %s (once) …", file);
            Path partial = file.resolveSibling(file.getFileName() + ".partial");
            new RandomModel(ModelShape.llama(512, 8, 8, 8, 1408), GgmlType.Q8_0, 1, false).write(partial, vocabulary);
            Files.move(partial, file);
        }
        return file;
    }

    /** Aggregate generated tokens/s of {@code streams} requests submitted to the scheduler at once. */
    private double engineRun(Scheduler scheduler, int[] prompt, int streams) throws Exception {
        List<CompletableFuture<RequestUsage>> ends = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < streams; i++) {
            CompletableFuture<RequestUsage> end = new CompletableFuture<>();
            ends.add(end);
            scheduler.submit(new GenerationJob("bench-" + i, prompt, 1, sampling(i), tokens, List.of(), false, 0,
                    Long.MAX_VALUE, new GenerationListener() {
                        @Override
                        public void onToken(TokenEvent event) {
                        }

                        @Override
                        public void onSampleDone(SampleOutcome outcome) {
                        }

                        @Override
                        public void onFinished(RequestUsage usage) {
                            end.complete(usage);
                        }

                        @Override
                        public void onFailed(Throwable failure) {
                            end.completeExceptionally(failure);
                        }
                    }));
        }
        long generated = 0;
        for (CompletableFuture<RequestUsage> end : ends) {
            generated += end.get(10, TimeUnit.MINUTES).generatedTokens();
        }
        return generated * 1e9 / (System.nanoTime() - start);
    }

    /** The same through {@code streams} concurrent gRPC Generate streams. */
    private double grpcRun(Service service, int streams) throws Exception {
        AtomicLong generated = new AtomicLong();
        List<CompletableFuture<Void>> ends = new ArrayList<>();
        DecoderGrpc.DecoderStub stub = DecoderGrpc.newStub(service.channel);
        long start = System.nanoTime();
        for (int i = 0; i < streams; i++) {
            CompletableFuture<Void> end = new CompletableFuture<>();
            ends.add(end);
            var s = sampling(i);
            stub.generate(GenerateRequest.newBuilder().setPrompt(PROMPT).setMaxTokens(tokens)
                    .setSampling(org.sparrowmesh.proto.v1.SamplingParameters.newBuilder().setTemperature(s.temperature())
                            .setSeed(s.seed())).build(), new StreamObserver<>() {
                        @Override
                        public void onNext(GenerateEvent event) {
                            if (event.hasUsage()) {
                                generated.addAndGet(event.getUsage().getGeneratedTokens());
                            }
                        }

                        @Override
                        public void onError(Throwable t) {
                            end.completeExceptionally(t);
                        }

                        @Override
                        public void onCompleted() {
                            end.complete(null);
                        }
                    });
        }
        for (CompletableFuture<Void> end : ends) {
            end.get(10, TimeUnit.MINUTES);
        }
        return generated.get() * 1e9 / (System.nanoTime() - start);
    }

    private static SamplingParameters sampling(int stream) {
        return SamplingParameters.builder().temperature(0.8f).seed(stream).build();
    }

    private static void log(String format, Object... args) {
        System.err.println(String.format(format, args));
    }

    /** The decoder service as a child JVM serving the model on a free loopback port. */
    private static final class Service implements AutoCloseable {
        final Process process;
        final ManagedChannel channel;

        private Service(Process process, ManagedChannel channel) {
            this.process = process;
            this.channel = channel;
        }

        static Service start(Path jar, Path model, Path log) throws Exception {
            if (!Files.isRegularFile(jar)) {
                throw new IOException("no decoder service jar at " + jar + ": build it with ./mesh build");
            }
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            String java = ProcessHandle.current().info().command().orElse("java");
            Process process = new ProcessBuilder(List.of(java, "--add-modules=jdk.incubator.vector",
                    "--enable-native-access=ALL-UNNAMED", "-Dquarkus.http.port=" + port,
                    "-Dmesh.decoder.model=" + model.toAbsolutePath(), "-Dmesh.decoder.max-queued-requests=256",
                    "-jar", jar.toString())).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            // callbacks on the transport thread: no hand-off per message in this (benchmark) client
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().directExecutor().build();
            Service service = new Service(process, channel);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            while (true) {
                if (!process.isAlive()) {
                    service.close();
                    throw new IOException("the decoder service exited with " + process.exitValue() + "; see " + log);
                }
                try {
                    if (DecoderGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS)
                            .modelInfo(ModelInfoRequest.getDefaultInstance()).getLoaded()) {
                        return service;
                    }
                } catch (RuntimeException notYet) {
                    // still starting
                }
                if (System.nanoTime() > deadline) {
                    service.close();
                    throw new IOException("the decoder service did not load the model within 180 s; see " + log);
                }
                Thread.sleep(250); // start-up polling, not a measurement
            }
        }

        @Override
        public void close() throws InterruptedException {
            channel.shutdownNow();
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
