package org.sparrowmesh.encoder.grpc;

import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;
import org.sparrowmesh.grpcstatus.PendingIssue;
import org.sparrowmesh.proto.v1.EmbedRequest;
import org.sparrowmesh.proto.v1.EmbedResponse;
import org.sparrowmesh.proto.v1.Encoder;
import org.sparrowmesh.proto.v1.EncoderInfoRequest;
import org.sparrowmesh.proto.v1.EncoderInfoResponse;

/** {@code sparrowmesh.v1.Encoder}: sentence embeddings (issue #7 serves it). */
@GrpcService
public class EncoderGrpcService implements Encoder {

    private static final int ISSUE = 7;
    private static final String SUBJECT = "encoder service";

    @Override
    public Uni<EmbedResponse> embed(EmbedRequest request) {
        return Uni.createFrom().failure(PendingIssue.unavailable("Encoder.Embed", ISSUE, SUBJECT));
    }

    @Override
    public Uni<EncoderInfoResponse> info(EncoderInfoRequest request) {
        return Uni.createFrom().failure(PendingIssue.unavailable("Encoder.Info", ISSUE, SUBJECT));
    }
}
