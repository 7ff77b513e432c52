package org.sparrowmesh.retrieval.server.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import jakarta.enterprise.context.ApplicationScoped;
import org.sparrowmesh.proto.v1.EmbedRequest;
import org.sparrowmesh.proto.v1.EmbedResponse;
import org.sparrowmesh.proto.v1.EncoderGrpc;
import org.sparrowmesh.proto.v1.EncoderInfoRequest;
import org.sparrowmesh.proto.v1.EncoderInfoResponse;
import org.sparrowmesh.retrieval.embedding.EmbeddingSource;
import org.sparrowmesh.retrieval.embedding.EmbeddingUnavailableException;

/** Vectors from the encoder service over gRPC ({@code quarkus.grpc.clients.encoder.*}); unit length. */
@ApplicationScoped
public class EncoderEmbeddings implements EmbeddingSource {

    /** The encoder takes at most this many texts per call (EncoderInfoResponse.max_texts_per_request). */
    private static final int BATCH = 128;

    private final EncoderGrpc.EncoderBlockingStub encoder;
    private final RetrievalConfig config;
    private volatile EncoderInfoResponse info;

    public EncoderEmbeddings(@GrpcClient("encoder") EncoderGrpc.EncoderBlockingStub encoder, RetrievalConfig config) {
        this.encoder = encoder;
        this.config = config;
    }

    private EncoderInfoResponse info() {
        EncoderInfoResponse known = info;
        if (known == null) {
            try {
                known = stub().info(EncoderInfoRequest.getDefaultInstance());
            } catch (StatusRuntimeException e) {
                throw unavailable(e);
            }
            if (!known.getLoaded()) {
                throw new EmbeddingUnavailableException("the encoder has no model loaded", null);
            }
            info = known;
        }
        return known;
    }

    private EncoderGrpc.EncoderBlockingStub stub() {
        return encoder.withDeadlineAfter(config.encoderTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public String modelName() {
        return info().getModelName();
    }

    @Override
    public int dimension() {
        return info().getDimension();
    }

    @Override
    public List<float[]> embed(List<String> texts, boolean queries) {
        List<float[]> vectors = new ArrayList<>(texts.size());
        for (int from = 0; from < texts.size(); from += BATCH) {
            EmbedResponse response;
            try {
                response = stub().embed(EmbedRequest.newBuilder()
                        .addAllTexts(texts.subList(from, Math.min(texts.size(), from + BATCH))).setNormalize(true).build());
            } catch (StatusRuntimeException e) {
                throw unavailable(e);
            }
            response.getEmbeddingsList().forEach(e -> {
                float[] v = new float[e.getValuesCount()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = e.getValues(i);
                }
                vectors.add(v);
            });
        }
        return vectors;
    }

    private static EmbeddingUnavailableException unavailable(StatusRuntimeException e) {
        return new EmbeddingUnavailableException(e.getStatus().getCode() + " "
                + (e.getStatus().getDescription() == null ? "" : e.getStatus().getDescription()), e);
    }
}
