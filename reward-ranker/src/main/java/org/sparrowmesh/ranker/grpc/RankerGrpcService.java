package org.sparrowmesh.ranker.grpc;

import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;
import org.sparrowmesh.grpcstatus.PendingIssue;
import org.sparrowmesh.proto.v1.RankRequest;
import org.sparrowmesh.proto.v1.RankResponse;
import org.sparrowmesh.proto.v1.Ranker;

/** {@code sparrowmesh.v1.Ranker}: scores candidates and picks the best (issue #9 serves it). */
@GrpcService
public class RankerGrpcService implements Ranker {

    @Override
    public Uni<RankResponse> rank(RankRequest request) {
        return Uni.createFrom().failure(PendingIssue.unavailable("Ranker.Rank", 9, "reward ranker"));
    }
}
