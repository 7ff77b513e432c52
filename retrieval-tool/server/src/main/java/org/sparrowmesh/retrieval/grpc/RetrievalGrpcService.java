package org.sparrowmesh.retrieval.grpc;

import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import org.sparrowmesh.grpcstatus.PendingIssue;
import org.sparrowmesh.proto.v1.Document;
import org.sparrowmesh.proto.v1.IngestSummary;
import org.sparrowmesh.proto.v1.Retrieval;
import org.sparrowmesh.proto.v1.SearchRequest;
import org.sparrowmesh.proto.v1.SearchResponse;
import org.sparrowmesh.proto.v1.StatsRequest;
import org.sparrowmesh.proto.v1.StatsResponse;

/** {@code sparrowmesh.v1.Retrieval}: the Lucene evidence index (issue #8 serves it). */
@GrpcService
public class RetrievalGrpcService implements Retrieval {

    private static final int ISSUE = 8;
    private static final String SUBJECT = "retrieval tool";

    @Override
    public Uni<SearchResponse> search(SearchRequest request) {
        return Uni.createFrom().failure(PendingIssue.unavailable("Retrieval.Search", ISSUE, SUBJECT));
    }

    @Override
    public Uni<IngestSummary> ingest(Multi<Document> documents) {
        return Uni.createFrom().failure(PendingIssue.unavailable("Retrieval.Ingest", ISSUE, SUBJECT));
    }

    @Override
    public Uni<StatsResponse> stats(StatsRequest request) {
        return Uni.createFrom().failure(PendingIssue.unavailable("Retrieval.Stats", ISSUE, SUBJECT));
    }
}
