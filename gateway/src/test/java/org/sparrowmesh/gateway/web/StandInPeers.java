package org.sparrowmesh.gateway.web;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.sun.net.httpserver.HttpServer;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import org.sparrowmesh.proto.v1.DecoderGrpc;
import org.sparrowmesh.proto.v1.FinishReason;
import org.sparrowmesh.proto.v1.GenerateEvent;
import org.sparrowmesh.proto.v1.GenerateRequest;
import org.sparrowmesh.proto.v1.RetrievalGrpc;
import org.sparrowmesh.proto.v1.SampleDone;
import org.sparrowmesh.proto.v1.SearchMode;
import org.sparrowmesh.proto.v1.SearchRequest;
import org.sparrowmesh.proto.v1.SearchResponse;
import org.sparrowmesh.proto.v1.Snippet;
import org.sparrowmesh.proto.v1.TokenDelta;

/**
 * Stand-in peers in the test JVM for the web page's test: a Retrieval that searches the bundled
 * demo corpus ({@code corpus/model-zoo}) by word overlap, and a Decoder that streams a fixed answer
 * word by word, one word every 40 ms like a slow model, so the page shows candidates while they
 * stream. Half way through, the streams hold until the browser script says it saw a candidate
 * streaming ({@code GET} on {@link #SEEN_URL_KEY}'s URL): on a loaded machine the page could
 * otherwise draw a whole candidate between two of its polls. (They go on after 30 s regardless.)
 * The ranker stays down (fallback ordering). The real services are behind the launcher's
 * MeshEndToEndTest.
 */
public class StandInPeers implements QuarkusTestResourceLifecycleManager {

    private static final Set<String> STOP = Set.of("the", "and", "which", "who", "what", "when", "was", "did", "in", "of", "a");
    private Server retrieval;
    private Server decoder;
    private ScheduledExecutorService clock;
    private HttpServer seenServer;
    private final CountDownLatch seen = new CountDownLatch(1);

    /** The config key under which the URL the browser script calls once it saw a candidate streaming is found. */
    static final String SEEN_URL_KEY = "mesh.test.stand-in.seen-url";
    private static final int MAX_HOLD_TICKS = 750; // 30 s of 40 ms ticks

    record Doc(String id, String title, String body) {
    }

    @Override
    public Map<String, String> start() {
        List<Doc> corpus = readCorpus();
        clock = Executors.newSingleThreadScheduledExecutor();
        try {
            retrieval = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                    .addService(new RetrievalGrpc.RetrievalImplBase() {
                        @Override
                        public void search(SearchRequest request, StreamObserver<SearchResponse> response) {
                            response.onNext(StandInPeers.search(corpus, request));
                            response.onCompleted();
                        }
                    }).build().start();
            decoder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                    .addService(new DecoderGrpc.DecoderImplBase() {
                        @Override
                        public void generate(GenerateRequest request, StreamObserver<GenerateEvent> response) {
                            stream(request, (ServerCallStreamObserver<GenerateEvent>) response);
                        }
                    }).build().start();
            seenServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            seenServer.createContext("/seen", exchange -> {
                seen.countDown();
                exchange.sendResponseHeaders(204, -1);
                exchange.close();
            });
            seenServer.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of(SEEN_URL_KEY, "http://127.0.0.1:" + seenServer.getAddress().getPort() + "/seen","quarkus.grpc.clients.retrieval.test-port", Integer.toString(retrieval.getPort()),
                "%test.quarkus.grpc.clients.retrieval.port", Integer.toString(retrieval.getPort()),
                "quarkus.grpc.clients.decoder.test-port", Integer.toString(decoder.getPort()),
                "%test.quarkus.grpc.clients.decoder.port", Integer.toString(decoder.getPort()));
    }

    private static List<Doc> readCorpus() {
        Path dir = Path.of("..", "corpus", "model-zoo");
        try (Stream<Path> files = Files.list(dir)) {
            List<Doc> docs = new ArrayList<>();
            for (Path f : files.filter(p -> p.toString().endsWith(".md")).sorted().toList()) {
                List<String> lines = Files.readAllLines(f);
                String title = lines.getFirst().replaceFirst("^#\\s*", "");
                String body = lines.stream().skip(1).filter(l -> !l.isBlank() && !l.startsWith("#")).collect(Collectors.joining(" "));
                docs.add(new Doc("corpus/model-zoo/" + f.getFileName(), title, body));
            }
            return docs;
        } catch (IOException e) {
            throw new UncheckedIOException("the demo corpus is read from " + dir.toAbsolutePath(), e);
        }
    }

    private static Set<String> words(String text) {
        return Stream.of(text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")).filter(w -> w.length() > 1 && !STOP.contains(w))
                .collect(Collectors.toSet());
    }

    private static SearchResponse search(List<Doc> corpus, SearchRequest request) {
        Set<String> query = words(request.getQuery());
        record Hit(Doc doc, long score) {
        }
        List<Hit> hits = corpus.stream().map(d -> new Hit(d, words(d.title() + " " + d.title() + " " + d.body()).stream().filter(query::contains).count()))
                .filter(h -> h.score() > 0).sorted(Comparator.comparingLong(Hit::score).reversed()).limit(Math.max(1, Math.min(3, request.hasResultCount() ? request.getResultCount() : 3))).toList();
        SearchResponse.Builder out = SearchResponse.newBuilder().setEffectiveMode(SearchMode.SEARCH_MODE_BM25).setTotalHits(hits.size());
        for (Hit h : hits) {
            String text = h.doc().body().length() <= 500 ? h.doc().body() : h.doc().body().substring(0, h.doc().body().lastIndexOf(' ', 500));
            out.addSnippets(Snippet.newBuilder().setDocumentId(h.doc().id()).setPassageId(h.doc().id() + "#0").setTitle(h.doc().title())
                    .setSource(h.doc().id()).setText(text).setScore(h.score()).setEndOffset(text.length()));
        }
        return out.build();
    }

    private void stream(GenerateRequest request, ServerCallStreamObserver<GenerateEvent> response) {
        boolean withEvidence = request.getMessages().getMessagesList().stream().anyMatch(m -> m.toString().contains("[1]"));
        String answer = withEvidence ? "According to the evidence, LaMDA is Google's conversational model from 2021."
                : "I believe LaMDA came from a large research lab.";
        String[] pieces = answer.split("(?<= )");
        int samples = Math.max(1, request.getSampleCount());
        int[] next = {0};
        int[] held = {0};
        var task = clock.scheduleAtFixedRate(() -> {
            if (response.isCancelled()) {
                throw new IllegalStateException("cancelled");   // ends the repetition
            }
            if (next[0] == pieces.length / 2 && seen.getCount() > 0 && held[0]++ < MAX_HOLD_TICKS) {
                return;   // half way: hold until the browser saw a candidate streaming
            }
            int i = next[0]++;
            if (i < pieces.length) {
                for (int s = 0; s < samples; s++) {
                    response.onNext(GenerateEvent.newBuilder().setTokenDelta(TokenDelta.newBuilder().setSampleIndex(s).setText(pieces[i])).build());
                }
                return;
            }
            for (int s = 0; s < samples; s++) {
                response.onNext(GenerateEvent.newBuilder().setSampleDone(SampleDone.newBuilder().setSampleIndex(s).setText(answer)
                        .setTokenCount(pieces.length).setMeanLogProbability(-0.5 - s).setFinishReason(FinishReason.FINISH_REASON_EOS)).build());
            }
            response.onCompleted();
            throw new IllegalStateException("done");   // ends the repetition
        }, 40, 40, TimeUnit.MILLISECONDS);
        response.setOnCancelHandler(() -> task.cancel(false));
    }

    @Override
    public void stop() {
        clock.shutdownNow();
        seenServer.stop(0);
        retrieval.shutdownNow();
        decoder.shutdownNow();
    }
}
