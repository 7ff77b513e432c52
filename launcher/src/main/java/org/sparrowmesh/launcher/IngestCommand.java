package org.sparrowmesh.launcher;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import org.sparrowmesh.proto.v1.Document;
import org.sparrowmesh.proto.v1.IngestSummary;
import org.sparrowmesh.proto.v1.RejectedDocument;
import org.sparrowmesh.proto.v1.RetrievalGrpc;
import org.sparrowmesh.retrieval.index.SourceDocument;
import org.sparrowmesh.retrieval.ingest.DocumentFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code mesh ingest PATH…}: BEIR-style JSONL, Markdown, text and HTML files (folders read
 * recursively) streamed to the running retrieval tool's {@code Ingest}, with progress on stderr and
 * a summary: accepted, rejected (each with its reason), passages, passages without vectors.
 */
@Command(name = "ingest", description = "Indexes documents (.jsonl, .md, .txt, .html; folders recursively) into the running retrieval tool.")
final class IngestCommand implements Callable<Integer> {

    @Mixin
    HelpOption helpOption;

    @ParentCommand
    MeshCommand mesh;

    @Parameters(paramLabel = "PATH", arity = "1..*", description = "Files or folders.")
    List<Path> paths;

    @Override
    public Integer call() throws Exception {
        Component retrieval = mesh.config().components().stream().filter(c -> c.name().equals("retrieval")).findFirst().orElseThrow();
        if (!new HealthProbe(Duration.ofSeconds(2)).check(retrieval).healthy()) {
            throw new MeshException("the retrieval tool is not running on port " + retrieval.port() + ": start the mesh with ./mesh up");
        }
        List<Path[]> files = new ArrayList<>(); // file, root
        for (Path path : paths) {
            Path absolute = mesh.cwd().resolve(path).normalize();
            for (Path file : DocumentFiles.files(absolute)) {
                files.add(new Path[] {file, absolute});
            }
        }
        if (files.isEmpty()) {
            throw new MeshException("no .jsonl, .md, .txt or .html files under " + paths);
        }
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", retrieval.port()).usePlaintext().build();
        try {
            CompletableFuture<IngestSummary> summary = new CompletableFuture<>();
            StreamObserver<Document> stream = RetrievalGrpc.newStub(channel).withDeadlineAfter(6, TimeUnit.HOURS)
                    .ingest(new StreamObserver<>() {
                        @Override
                        public void onNext(IngestSummary value) {
                            summary.complete(value);
                        }

                        @Override
                        public void onError(Throwable t) {
                            summary.completeExceptionally(t);
                        }

                        @Override
                        public void onCompleted() {
                        }
                    });
            int[] sent = {0};
            for (int i = 0; i < files.size(); i++) {
                Path[] file = files.get(i);
                DocumentFiles.read(file[0], file[1], document -> {
                    stream.onNext(toProto(document));
                    sent[0]++;
                });
                progress(i + 1, files.size(), sent[0]);
            }
            stream.onCompleted();
            mesh.err().println();
            IngestSummary result = summary.get(6, TimeUnit.HOURS);
            mesh.out().printf("indexed %d documents (%d passages, %d without vectors) in %.1f s; rejected %d%n",
                    result.getAcceptedCount(), result.getPassageCount(), result.getPassagesWithoutEmbeddingCount(),
                    result.getTook().getSeconds() + result.getTook().getNanos() / 1e9, result.getRejectedCount());
            for (RejectedDocument rejected : result.getRejectedList()) {
                mesh.out().printf("  rejected #%d %s: %s%n", rejected.getPosition(), rejected.getDocumentId(), rejected.getReason());
            }
            mesh.out().flush();
            return result.getRejectedCount() == 0 ? 0 : 1;
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private void progress(int files, int total, int documents) {
        int width = 30;
        int done = width * files / total;
        mesh.err().printf("\r[%s%s] %d/%d files, %d documents sent", "#".repeat(done), " ".repeat(width - done), files, total,
                documents);
        mesh.err().flush();
    }

    private static Document toProto(SourceDocument d) {
        return Document.newBuilder().setDocumentId(d.id()).setTitle(d.title()).setText(d.text()).setSource(d.source())
                .setUrl(d.url()).putAllMetadata(d.metadata()).build();
    }
}
