package org.sparrowmesh.encoder.grpc;

import static org.sparrowmesh.encoder.embedding.VectorMath.cosine;
import static org.sparrowmesh.encoder.embedding.VectorMath.norm;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.hamcrest.Matchers.containsString;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import com.google.common.util.concurrent.ListenableFuture;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sparrowmesh.proto.v1.EmbedRequest;
import org.sparrowmesh.proto.v1.EmbedResponse;
import org.sparrowmesh.proto.v1.EncoderGrpc;
import org.sparrowmesh.proto.v1.EncoderInfoRequest;
import org.sparrowmesh.proto.v1.EncoderInfoResponse;
import org.sparrowmesh.proto.v1.Pooling;

/** {@code Encoder} over a real channel to the running app (the same boot as the contract test). */
@QuarkusTest
class EncoderGrpcTest {

    @Inject
    MeterRegistry registry;

    private ManagedChannel channel;
    private EncoderGrpc.EncoderBlockingStub encoder;

    static int port() {
        return ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
    }

    static ManagedChannel connect() {
        return NettyChannelBuilder.forAddress("127.0.0.1", port()).usePlaintext().build();
    }

    @BeforeEach
    void open() {
        channel = connect();
        encoder = EncoderGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private static EmbedRequest texts(List<String> texts) {
        return EmbedRequest.newBuilder().addAllTexts(texts).build();
    }

    @Test
    void referenceSentencesOverGrpcEqualTheArtifactsOwnEmbeddingModel() {
        List<String> sentences = List.of("The cat sits on the mat.", "Il pleut à Paris depuis ce matin.",
                "東京は日本の首都です。", "Evidence-grounded dialogue cites its sources.");
        EmbedResponse response = encoder.embed(texts(sentences));
        AllMiniLmL6V2EmbeddingModel reference = new AllMiniLmL6V2EmbeddingModel();
        assertThat(response.getModelName()).isEqualTo("sentence-transformers/all-MiniLM-L6-v2");
        assertThat(response.getEmbeddingsList()).hasSize(sentences.size());
        for (int i = 0; i < sentences.size(); i++) {
            float[] expected = reference.embed(sentences.get(i)).content().vector();
            float[] actual = toArray(response.getEmbeddings(i).getValuesList());
            assertThat(cosine(actual, expected)).as(sentences.get(i)).isGreaterThanOrEqualTo(0.9999);
            assertThat(norm(actual)).isCloseTo(1.0, within(1e-5));
            assertThat(response.getEmbeddings(i).getTruncated()).isFalse();
        }
        assertThat(response.getEmbeddings(0).getTokenCount()).isEqualTo(9); // [CLS] the cat sits on the mat . [SEP]
    }

    @Test
    void normalizeFalseGivesTheRawMeanPooledVector() {
        EmbedRequest raw = EmbedRequest.newBuilder().addTexts("The cat sits on the mat.").setNormalize(false).build();
        float[] vector = toArray(encoder.embed(raw).getEmbeddings(0).getValuesList());
        float[] unit = toArray(encoder.embed(texts(List.of("The cat sits on the mat."))).getEmbeddings(0).getValuesList());
        assertThat(norm(vector)).isNotCloseTo(1.0, within(0.01));
        assertThat(cosine(vector, unit)).isCloseTo(1.0, within(1e-6));
    }

    @Test
    void noTextsGiveAnEmptyResponseAndAnEmptyTextIsEmbedded() {
        EmbedResponse none = encoder.embed(EmbedRequest.getDefaultInstance());
        assertThat(none.getEmbeddingsList()).isEmpty();
        assertThat(none.getModelName()).isEqualTo("sentence-transformers/all-MiniLM-L6-v2");

        EmbedResponse empty = encoder.embed(texts(List.of("")));
        assertThat(empty.getEmbeddings(0).getTokenCount()).isEqualTo(2);
        assertThat(empty.getEmbeddings(0).getValuesCount()).isEqualTo(384);
    }

    @Test
    void aTextOfTheMaximumLengthIsTruncatedAndReportedSo() {
        EmbedResponse response = encoder.embed(texts(List.of("word ".repeat(4_000), "short")));
        assertThat(response.getEmbeddings(0).getTruncated()).isTrue();
        assertThat(response.getEmbeddings(0).getTokenCount()).isEqualTo(256);
        assertThat(response.getEmbeddings(1).getTruncated()).isFalse();
    }

    @Test
    void badInputsAreInvalidArgumentNamingTheLimitAndTheServiceGoesOn() {
        assertInvalid(() -> encoder.embed(texts(List.of("x".repeat(20_001)))), "at most 20,000 characters per text");
        assertInvalid(() -> encoder.embed(texts(List.of("ok", "y".repeat(1 << 20)))), "text 1 has 1048576 characters");
        assertInvalid(() -> encoder.embed(texts(Collections.nCopies(257, "z"))), "at most 256 texts per request, got 257");
        var withBadType = encoder.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(header("question")));
        assertInvalid(() -> withBadType.embed(texts(List.of("a"))), "input_type must be \"query\" or \"passage\"");
        // nothing crashed: the next call is served
        assertThat(encoder.embed(texts(List.of("still here"))).getEmbeddingsCount()).isEqualTo(1);
    }

    @Test
    void theInputTypeHeaderIsAccepted() {
        var asQuery = encoder.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(header("query")));
        float[] query = toArray(asQuery.embed(texts(List.of("what is a sparrow?"))).getEmbeddings(0).getValuesList());
        float[] plain = toArray(encoder.embed(texts(List.of("what is a sparrow?"))).getEmbeddings(0).getValuesList());
        // all-MiniLM-L6-v2 has no prefixes: the same vector
        assertThat(cosine(query, plain)).isGreaterThanOrEqualTo(0.9999);
    }

    /**
     * protobuf strings cannot carry invalid UTF-8 into the service: the transport drops the message
     * it cannot parse, and {@link UnparsableRequestInterceptor} answers INVALID_ARGUMENT (instead of
     * gRPC's INTERNAL "Half-closed without a request"); the server stays up.
     */
    @Test
    void aRawRequestWithInvalidUtf8IsRefusedBeforeTheServiceAndNothingCrashes() {
        byte[] invalid = {0x0A, 0x02, (byte) 0xC3, 0x28}; // field 1 (texts), 2 bytes: a broken 2-byte sequence
        MethodDescriptor<byte[], byte[]> raw = MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(EncoderGrpc.getEmbedMethod().getFullMethodName())
                .setRequestMarshaller(new Bytes())
                .setResponseMarshaller(new Bytes())
                .build();
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, raw,
                CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), invalid))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    System.out.println("invalid UTF-8 over gRPC -> " + e.getStatus());
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains("valid UTF-8").doesNotContain("Exception");
                });
        assertThat(encoder.embed(texts(List.of("still here"))).getEmbeddingsCount()).isEqualTo(1);
    }

    @Test
    void infoTellsTheModelFacts() {
        EncoderInfoResponse info = encoder.info(EncoderInfoRequest.getDefaultInstance());
        assertThat(info.getLoaded()).isTrue();
        assertThat(info.getModelName()).isEqualTo("sentence-transformers/all-MiniLM-L6-v2");
        assertThat(info.getDimension()).isEqualTo(384);
        assertThat(info.getNormalizedByDefault()).isTrue();
        assertThat(info.getMaxSequenceLength()).isEqualTo(256);
        assertThat(info.getPooling()).isEqualTo(Pooling.POOLING_MEAN);
        assertThat(info.getMaxTextsPerRequest()).isEqualTo(256);
    }

    @Test
    void sixteenConcurrentClientsAreServedThroughMicroBatches() throws Exception {
        DistributionSummary requestsPerBatch = registry.get("mesh.encoder.batch.requests").summary();
        long batchesBefore = requestsPerBatch.count();
        double requestsBefore = requestsPerBatch.totalAmount();

        List<ManagedChannel> clients = new ArrayList<>();
        List<ListenableFuture<EmbedResponse>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < 16; i++) {
                ManagedChannel client = connect();
                clients.add(client);
                // connect first, so the 16 calls go out back to back
                client.getState(true);
                EncoderGrpc.newBlockingStub(client).info(EncoderInfoRequest.getDefaultInstance());
            }
            for (int i = 0; i < 16; i++) {
                answers.add(EncoderGrpc.newFutureStub(clients.get(i)).withDeadlineAfter(30, TimeUnit.SECONDS)
                        .embed(texts(List.of("client " + i + " asks about sparrows and evidence"))));
            }
            for (int i = 0; i < 16; i++) {
                EmbedResponse answer = answers.get(i).get(30, TimeUnit.SECONDS);
                assertThat(answer.getEmbeddingsList()).hasSize(1);
                assertThat(answer.getEmbeddings(0).getValuesCount()).isEqualTo(384);
            }
        } finally {
            for (ManagedChannel client : clients) {
                client.shutdownNow();
            }
        }
        long batches = requestsPerBatch.count() - batchesBefore;
        double requests = requestsPerBatch.totalAmount() - requestsBefore;
        System.out.printf("16 clients: %d requests in %d model calls (largest: %.0f requests)%n",
                (long) requests, batches, requestsPerBatch.max());
        assertThat(requests).isEqualTo(16);
        assertThat(batches).as("model calls for 16 concurrent requests").isLessThan(16);
        assertThat(requestsPerBatch.max()).isGreaterThan(1);
        given().port(port()).when().get("/q/metrics").then().statusCode(200)
                .body(containsString("mesh_encoder_batch_requests_bucket"))
                .body(containsString("mesh_encoder_batch_texts_bucket"))
                .body(containsString("mesh_encoder_queue_seconds"))
                .body(containsString("mesh_encoder_texts_total"));
    }

    private static Metadata header(String value) {
        Metadata headers = new Metadata();
        headers.put(InputTypeInterceptor.KEY, value);
        return headers;
    }

    private static void assertInvalid(Runnable call, String message) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(e.getStatus().getDescription()).contains(message);
        });
    }

    private static float[] toArray(List<Float> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }


    /** Sends and receives raw bytes, to put what a protobuf client never would on the wire. */
    private static final class Bytes implements MethodDescriptor.Marshaller<byte[]> {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
