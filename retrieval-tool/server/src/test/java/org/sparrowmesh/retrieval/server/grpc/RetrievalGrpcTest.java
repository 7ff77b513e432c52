package org.sparrowmesh.retrieval.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sparrowmesh.events.MeshTopic;
import org.sparrowmesh.proto.v1.DeadLetter;
import org.sparrowmesh.proto.v1.DeadLetterCause;
import org.sparrowmesh.proto.v1.Document;
import org.sparrowmesh.proto.v1.DocumentToIndex;
import org.sparrowmesh.proto.v1.IngestSummary;
import org.sparrowmesh.proto.v1.RetrievalGrpc;
import org.sparrowmesh.proto.v1.SearchMode;
import org.sparrowmesh.proto.v1.SearchRequest;
import org.sparrowmesh.proto.v1.SearchResponse;
import org.sparrowmesh.proto.v1.StatsRequest;

/** Search, Ingest, Stats and the mesh.docs consumer of the running service, real broker, no encoder. */
@QuarkusTest
@WithTestResource(RetrievalTestResources.class)
class RetrievalGrpcTest {

    private ManagedChannel channel;
    private RetrievalGrpc.RetrievalBlockingStub retrieval;

    @BeforeEach
    void open() {
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        retrieval = RetrievalGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    @AfterEach
    void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private SearchResponse search(String query) {
        return retrieval.search(SearchRequest.newBuilder().setQuery(query).build());
    }

    @Test
    void theDemoCorpusIsIndexedAtStartAndHybridFallsBackToBm25WithoutAnEncoder() {
        SearchResponse response = search("Who made LaMDA and on how many words was it trained?");
        assertThat(response.getSnippets(0).getDocumentId()).isEqualTo("lamda.md");
        assertThat(response.getSnippets(0).getTitle()).isEqualTo("LaMDA");
        assertThat(response.getSnippets(0).getText()).contains("1.56 trillion words");
        assertThat(response.getEffectiveMode()).isEqualTo(SearchMode.SEARCH_MODE_BM25);
        assertThat(response.getDegradedReason()).isEqualTo("the index holds no passage vectors"); // the encoder was down at ingestion too
        assertThatThrownBy(() -> retrieval.search(SearchRequest.newBuilder().setQuery("LaMDA").setMode(SearchMode.SEARCH_MODE_VECTOR).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION));
    }

    @Test
    void badSearchesAreInvalidArgumentNamingTheField() {
        for (SearchRequest bad : List.of(SearchRequest.newBuilder().setQuery("   ").build(),
                SearchRequest.newBuilder().setQuery("x".repeat(8_001)).build(),
                SearchRequest.newBuilder().setQuery("LaMDA").setResultCount(0).build(),
                SearchRequest.newBuilder().setQuery("LaMDA").setMaxSnippetCharacters(501).build())) {
            assertThatThrownBy(() -> retrieval.search(bad)).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                assertThat(e.getStatus().getDescription()).containsAnyOf("query", "result_count", "max_snippet_characters");
            });
        }
        assertThat(search("LaMDA AND (\"dialogue\" OR web*) ~ ^2 \\ / :").getSnippetsCount()).isPositive();
    }

    @Test
    void ingestIndexesGoodDocumentsAndRejectsBadOnesOneByOne() throws Exception {
        CompletableFuture<IngestSummary> summary = new CompletableFuture<>();
        StreamObserver<Document> stream = RetrievalGrpc.newStub(channel).ingest(new StreamObserver<>() {
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
        stream.onNext(Document.newBuilder().setDocumentId("palm").setTitle("PaLM")
                .setText("PaLM is a 540-billion parameter language model from Google, trained with the Pathways system.").build());
        stream.onNext(Document.newBuilder().setDocumentId("").setText("no id").build());
        stream.onNext(Document.newBuilder().setDocumentId("empty").setText("  ").build());
        stream.onCompleted();
        IngestSummary result = summary.get(60, TimeUnit.SECONDS);
        assertThat(result.getAcceptedCount()).isEqualTo(1);
        assertThat(result.getRejectedList()).extracting(r -> r.getPosition() + ":" + r.getReason())
                .containsExactly("1:document_id is empty", "2:text is empty");
        assertThat(result.getPassagesWithoutEmbeddingCount()).isEqualTo(result.getPassageCount()).isPositive();
        assertThat(search("Pathways 540-billion").getSnippets(0).getDocumentId()).isEqualTo("palm");
        assertThat(retrieval.stats(StatsRequest.getDefaultInstance()).getDocumentCount()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void meshDocsRecordsAreIndexedAndBadOnesLandInTheDeadLetterTopic() throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, RetrievalTestResources.bootstrapServers());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(MeshTopic.DOCS.topicName(), "junk".getBytes(), new byte[] {(byte) 0xff, 0x01, 0x02})).get();
            producer.send(new ProducerRecord<>(MeshTopic.DOCS.topicName(), "bad".getBytes(), DocumentToIndex.newBuilder()
                    .setDocument(Document.newBuilder().setDocumentId("bad").setText("")).build().toByteArray())).get();
            producer.send(new ProducerRecord<>(MeshTopic.DOCS.topicName(), "gpt3".getBytes(), DocumentToIndex.newBuilder()
                    .setDocument(Document.newBuilder().setDocumentId("gpt3").setTitle("GPT-3")
                            .setText("GPT-3 has 175 billion parameters and learns tasks from a few examples in its prompt.")).build()
                    .toByteArray())).get();
        }
        List<DeadLetter> letters = new ArrayList<>();
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, RetrievalTestResources.bootstrapServers());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "test-dlq-reader");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(MeshTopic.DEAD_LETTERS.topicName()));
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (letters.size() < 2 && System.nanoTime() < end) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    letters.add(DeadLetter.parseFrom(record.value()));
                    assertThat(new String(record.headers().lastHeader("ce_type").value())).isEqualTo("org.sparrowmesh.v1.DeadLetter");
                }
            }
        }
        assertThat(letters).hasSize(2);
        assertThat(letters.get(0).getCause()).isEqualTo(DeadLetterCause.DEAD_LETTER_CAUSE_UNPARSEABLE);
        assertThat(letters.get(0).getOriginTopic()).isEqualTo("mesh.docs");
        assertThat(letters.get(0).getOriginalKey().toStringUtf8()).isEqualTo("junk");
        assertThat(letters.get(1).getCause()).isEqualTo(DeadLetterCause.DEAD_LETTER_CAUSE_INVALID);
        assertThat(letters.get(1).getReason()).isEqualTo("text is empty");
        assertThat(letters.get(1).getOriginOffset()).isEqualTo(letters.get(0).getOriginOffset() + 1);
        // the consumer went on: the good record after the bad ones is searchable (it commits before the offsets move)
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        SearchResponse found = search("175 billion parameters");
        while (found.getSnippetsList().stream().noneMatch(s -> s.getDocumentId().equals("gpt3")) && System.nanoTime() < end) {
            Thread.onSpinWait();
            found = search("175 billion parameters");
        }
        assertThat(found.getSnippets(0).getDocumentId()).isEqualTo("gpt3");
    }
}
