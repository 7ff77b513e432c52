package org.sparrowmesh.gateway.batch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import org.sparrowmesh.proto.v1.RetrievalGrpc;
import org.sparrowmesh.proto.v1.SearchMode;
import org.sparrowmesh.proto.v1.SearchRequest;
import org.sparrowmesh.proto.v1.SearchResponse;
import org.sparrowmesh.proto.v1.Snippet;

/**
 * A Retrieval server in the test JVM that answers every search with one snippet echoing the
 * query, once the test opens its gate, and counts the searches running at once: how the batch
 * tests see how many questions are in flight. (The real retrieval tool is behind the launcher's
 * batch tests.)
 */
public class StandInRetrieval implements QuarkusTestResourceLifecycleManager {

    static final AtomicInteger running = new AtomicInteger();
    static final AtomicInteger peak = new AtomicInteger();
    static final AtomicInteger total = new AtomicInteger();
    static volatile CountDownLatch gate = new CountDownLatch(1);
    /** Counted down by each search that arrives: while the gate is shut, arrivals are the searches held. */
    static final CountDownLatch arrivals = new CountDownLatch(3);
    private static Server server;

    @Override
    public Map<String, String> start() {
        try {
            server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                    .addService(new RetrievalGrpc.RetrievalImplBase() {
                        @Override
                        public void search(SearchRequest request, StreamObserver<SearchResponse> response) {
                            peak.accumulateAndGet(running.incrementAndGet(), Math::max);
                            total.incrementAndGet();
                            arrivals.countDown();
                            try {
                                if (!gate.await(60, TimeUnit.SECONDS)) {
                                    throw new IllegalStateException("the test never opened the gate");
                                }
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            } finally {
                                running.decrementAndGet();
                            }
                            response.onNext(SearchResponse.newBuilder().setEffectiveMode(SearchMode.SEARCH_MODE_BM25).setTotalHits(1)
                                    .addSnippets(Snippet.newBuilder().setDocumentId("doc-1").setPassageId("doc-1#0")
                                            .setTitle("Echo").setText("Evidence about " + request.getQuery()).setScore(1))
                                    .build());
                            response.onCompleted();
                        }
                    })
                    .build().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // in test mode Quarkus points gRPC clients at their test-port
        return Map.of("quarkus.grpc.clients.retrieval.test-port", Integer.toString(server.getPort()),
                "%test.quarkus.grpc.clients.retrieval.port", Integer.toString(server.getPort()));
    }

    @Override
    public void stop() {
        gate.countDown();
        if (server != null) {
            server.shutdownNow();
        }
    }
}
