package org.sparrowmesh.bench.mesh;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.google.protobuf.Duration;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import org.sparrowmesh.proto.v1.ChatGrpc;
import org.sparrowmesh.proto.v1.Stage;
import org.sparrowmesh.proto.v1.StageState;
import org.sparrowmesh.proto.v1.StageStatus;
import org.sparrowmesh.proto.v1.Turn;
import org.sparrowmesh.proto.v1.TurnEvent;
import org.sparrowmesh.proto.v1.TurnOptions;
import org.sparrowmesh.proto.v1.TurnStatus;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mesh bench mesh}: holds N concurrent {@code Converse} streams against the running mesh,
 * each sending its turns one after another, and reports p50/p99 turn latency (first byte sent to
 * Status received) and the gateway's own overhead: the turn's duration minus its critical path
 * through the stages (max(decode, search + decode with evidence) + rank).
 */
@Command(name = "bench mesh", mixinStandardHelpOptions = true, description = "Concurrent Converse streams against the running mesh.")
public final class MeshLoadBench implements Callable<Integer> {

    @Option(names = "--streams", defaultValue = "200", description = "Concurrent Converse streams (default ${DEFAULT-VALUE}).")
    int streams;

    @Option(names = "--turns", defaultValue = "2", description = "Turns per stream (default ${DEFAULT-VALUE}).")
    int turns;

    @Option(names = "--max-tokens", defaultValue = "16", description = "Tokens per sampled candidate (default ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--port", defaultValue = "7700", description = "Gateway port (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--json", description = "One JSON document on stdout.")
    boolean json;

    private static final String[] QUESTIONS = {"Who introduced LaMDA?", "What is Sparrow?", "How many parameters does GPT-3 use?",
        "Which tasks train BERT?", "What did Alpaca fine-tune?", "What is latent diffusion?", "Who made BLOOM?", "What is CoCa?"};

    public static void main(String[] args) {
        System.exit(new CommandLine(new MeshLoadBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Long> overheads = java.util.Collections.synchronizedList(new ArrayList<>());
        Map<StageState, AtomicInteger> outcomes = new ConcurrentHashMap<>();
        AtomicInteger errors = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(streams);
        TurnOptions options = TurnOptions.newBuilder().setMaxTokens(maxTokens).setSamplesWithoutEvidence(1)
                .setSamplesWithEvidence(1).setSearchResultCount(3).build();
        long start = System.nanoTime();
        for (int s = 0; s < streams; s++) {
            int stream = s;
            long[] sentAt = new long[1];
            int[] sent = new int[1];
            StreamObserver<Turn>[] requests = new StreamObserver[1];
            requests[0] = ChatGrpc.newStub(channel).withDeadlineAfter(10, TimeUnit.MINUTES).converse(new StreamObserver<>() {
                @Override
                public void onNext(TurnEvent event) {
                    if (!event.hasStatus()) {
                        return;
                    }
                    latencies.add(System.nanoTime() - sentAt[0]);
                    overheads.add(overhead(event.getStatus()));
                    outcomes.computeIfAbsent(event.getStatus().getOverallState(), k -> new AtomicInteger()).incrementAndGet();
                    if (sent[0] < turns) {
                        send(requests[0], stream, sent, sentAt, options);
                    } else {
                        requests[0].onCompleted();
                    }
                }

                @Override
                public void onError(Throwable t) {
                    errors.incrementAndGet();
                    done.countDown();
                }

                @Override
                public void onCompleted() {
                    done.countDown();
                }
            });
            send(requests[0], stream, sent, sentAt, options);
        }
        done.await(30, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - start) / 1e9;
        channel.shutdownNow();
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("streams", streams);
        document.put("turns_per_stream", turns);
        document.put("turns", latencies.size());
        document.put("stream_errors", errors.get());
        document.put("turns_per_second", latencies.size() / seconds);
        document.put("turn_latency_ms", percentiles(latencies));
        document.put("gateway_overhead_ms", percentiles(overheads));
        Map<String, Integer> states = new LinkedHashMap<>();
        outcomes.forEach((k, v) -> states.put(k.name().substring("STAGE_STATE_".length()).toLowerCase(), v.get()));
        document.put("turn_states", states);
        System.err.printf("%d streams × %d turns: %d turns in %.1f s (%.1f turns/s), %d stream errors, states %s%n", streams, turns,
                latencies.size(), seconds, latencies.size() / seconds, errors.get(), states);
        System.err.printf("turn latency p50 %.0f ms, p99 %.0f ms; gateway overhead p50 %.1f ms, p99 %.1f ms%n",
                percentiles(latencies).get("p50"), percentiles(latencies).get("p99"),
                percentiles(overheads).get("p50"), percentiles(overheads).get("p99"));
        if (json) {
            System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(document));
        }
        return errors.get() == 0 ? 0 : 1;
    }

    private static void send(StreamObserver<Turn> requests, int stream, int[] sent, long[] sentAt, TurnOptions options) {
        sentAt[0] = System.nanoTime();
        requests.onNext(Turn.newBuilder().setConversationId("load-" + stream)
                .setText(QUESTIONS[(stream + sent[0]) % QUESTIONS.length]).setOptions(options).build());
        sent[0]++;
    }

    /** The turn's duration minus its critical path through the stages. */
    static long overhead(TurnStatus status) {
        Map<Stage, Long> nanos = new EnumMap<>(Stage.class);
        for (StageStatus s : status.getStagesList()) {
            if (s.getState() != StageState.STAGE_STATE_SKIPPED) {
                nanos.put(s.getStage(), toNanos(s.getDuration()));
            }
        }
        long critical = Math.max(nanos.getOrDefault(Stage.STAGE_DECODE, 0L),
                nanos.getOrDefault(Stage.STAGE_SEARCH, 0L) + nanos.getOrDefault(Stage.STAGE_DECODE_WITH_EVIDENCE, 0L))
                + nanos.getOrDefault(Stage.STAGE_RANK, 0L);
        return Math.max(0, toNanos(status.getTotalDuration()) - critical);
    }

    private static long toNanos(Duration d) {
        return d.getSeconds() * 1_000_000_000L + d.getNanos();
    }

    private static Map<String, Double> percentiles(List<Long> nanos) {
        long[] sorted = nanos.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        Map<String, Double> p = new LinkedHashMap<>();
        if (sorted.length == 0) {
            return p;
        }
        p.put("p50", sorted[sorted.length / 2] / 1e6);
        p.put("p99", sorted[(int) Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] / 1e6);
        return p;
    }
}
