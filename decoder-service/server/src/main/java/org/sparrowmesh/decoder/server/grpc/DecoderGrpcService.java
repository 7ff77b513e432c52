package org.sparrowmesh.decoder.server.grpc;

import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import org.sparrowmesh.grpcstatus.PendingIssue;
import org.sparrowmesh.proto.v1.Decoder;
import org.sparrowmesh.proto.v1.GenerateEvent;
import org.sparrowmesh.proto.v1.GenerateRequest;
import org.sparrowmesh.proto.v1.ModelInfoRequest;
import org.sparrowmesh.proto.v1.ModelInfoResponse;
import org.sparrowmesh.proto.v1.TokenizeRequest;
import org.sparrowmesh.proto.v1.TokenizeResponse;

/** {@code sparrowmesh.v1.Decoder}: maps requests onto the decoder engine (issue #5 serves it). */
@GrpcService
public class DecoderGrpcService implements Decoder {

    private static final int ISSUE = 5;
    private static final String SUBJECT = "decoder service";

    @Override
    public Multi<GenerateEvent> generate(GenerateRequest request) {
        return Multi.createFrom().failure(PendingIssue.unavailable("Decoder.Generate", ISSUE, SUBJECT));
    }

    @Override
    public Uni<TokenizeResponse> tokenize(TokenizeRequest request) {
        return Uni.createFrom().failure(PendingIssue.unavailable("Decoder.Tokenize", ISSUE, SUBJECT));
    }

    @Override
    public Uni<ModelInfoResponse> modelInfo(ModelInfoRequest request) {
        return Uni.createFrom().failure(PendingIssue.unavailable("Decoder.ModelInfo", ISSUE, SUBJECT));
    }
}
