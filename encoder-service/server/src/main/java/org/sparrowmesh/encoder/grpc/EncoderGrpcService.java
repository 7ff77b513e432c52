package org.sparrowmesh.encoder.grpc;

import java.util.List;

import jakarta.inject.Inject;

import io.quarkus.grpc.GrpcService;
import io.quarkus.grpc.RegisterInterceptor;
import io.smallrye.mutiny.Uni;
import org.sparrowmesh.encoder.embedding.EmbedLimits;
import org.sparrowmesh.encoder.embedding.Embedder;
import org.sparrowmesh.encoder.embedding.InputType;
import org.sparrowmesh.encoder.embedding.ModelFacts;
import org.sparrowmesh.encoder.engine.TextEmbedding;
import org.sparrowmesh.encoder.runtime.EncoderRuntime;
import org.sparrowmesh.proto.v1.EmbedRequest;
import org.sparrowmesh.proto.v1.EmbedResponse;
import org.sparrowmesh.proto.v1.Embedding;
import org.sparrowmesh.proto.v1.Encoder;
import org.sparrowmesh.proto.v1.EncoderInfoRequest;
import org.sparrowmesh.proto.v1.EncoderInfoResponse;
import org.sparrowmesh.proto.v1.Pooling;

/**
 * {@code sparrowmesh.v1.Encoder}: a thin mapping onto the {@link Embedder}. The event loop only
 * checks the request and queues its texts; the micro-batcher's worker runs the model and
 * completes the {@code Uni}. Exceptions become statuses in {@code grpc-status}'s
 * {@code StatusMapper} (bad input → INVALID_ARGUMENT, full queue → RESOURCE_EXHAUSTED, no model
 * → FAILED_PRECONDITION).
 */
@GrpcService
@RegisterInterceptor(InputTypeInterceptor.class)
@RegisterInterceptor(UnparsableRequestInterceptor.class)
public class EncoderGrpcService implements Encoder {

    @Inject
    EncoderRuntime runtime;

    @Override
    public Uni<EmbedResponse> embed(EmbedRequest request) {
        String header = InputTypeInterceptor.INPUT_TYPE.get();
        return Uni.createFrom().deferred(() -> {
            Embedder embedder = runtime.embedder();
            InputType type = header == null ? InputType.PASSAGE : InputType.parse(header);
            Boolean normalize = request.hasNormalize() ? request.getNormalize() : null;
            String model = embedder.facts().name();
            return Uni.createFrom().completionStage(embedder.embed(request.getTextsList(), type, normalize))
                    .map(embeddings -> response(embeddings, model));
        });
    }

    private static EmbedResponse response(List<TextEmbedding> embeddings, String model) {
        EmbedResponse.Builder response = EmbedResponse.newBuilder().setModelName(model);
        for (TextEmbedding e : embeddings) {
            Embedding.Builder embedding = Embedding.newBuilder()
                    .setTokenCount(e.tokenCount())
                    .setTruncated(e.truncated());
            for (float v : e.values()) {
                embedding.addValues(v);
            }
            response.addEmbeddings(embedding);
        }
        return response.build();
    }

    @Override
    public Uni<EncoderInfoResponse> info(EncoderInfoRequest request) {
        return Uni.createFrom().item(() -> {
            EncoderInfoResponse.Builder info = EncoderInfoResponse.newBuilder()
                    .setMaxTextsPerRequest(EmbedLimits.MAX_TEXTS);
            runtime.facts().ifPresent(facts -> info
                    .setLoaded(true)
                    .setModelName(facts.name())
                    .setDimension(facts.dimension())
                    .setNormalizedByDefault(facts.normalizedByDefault())
                    .setMaxSequenceLength(facts.maxSequenceLength())
                    .setPooling(pooling(facts)));
            return info.build();
        });
    }

    private static Pooling pooling(ModelFacts facts) {
        return switch (facts.pooling()) {
            case MEAN -> Pooling.POOLING_MEAN;
            case CLS -> Pooling.POOLING_CLS;
            case MAX -> Pooling.POOLING_MAX;
        };
    }
}
