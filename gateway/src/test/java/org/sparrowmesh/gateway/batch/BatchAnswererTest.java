package org.sparrowmesh.gateway.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import com.google.rpc.Code;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;
import org.sparrowmesh.events.MeshTopic;
import org.sparrowmesh.gateway.events.KafkaBrokerTestResource;
import org.sparrowmesh.proto.v1.BatchAnswer;
import org.sparrowmesh.proto.v1.BatchQuestion;
import org.sparrowmesh.proto.v1.CandidateOrigin;
import org.sparrowmesh.proto.v1.DeadLetter;
import org.sparrowmesh.proto.v1.DeadLetterCause;
import org.sparrowmesh.proto.v1.Stage;
import org.sparrowmesh.proto.v1.StageState;

/**
 * The batch answerer inside the gateway, against a real KRaft broker: questions produced on
 * mesh.questions are answered through the chat's turn pipeline (a stand-in retrieval that holds
 * each search until the test lets it go; decoder and ranker down, so answers come from the
 * evidence by fallback ordering), never more than mesh.batch.max-in-flight at once; a poison
 * record and invalid questions land in mesh.dlq with their origin, and every other question is
 * answered once. The crash, kill -9 and broker-restart proofs with two instances in child
 * processes are the launcher's BatchExactlyOnceTest.
 */
@QuarkusTest
@TestProfile(BatchAnswererTest.Profile.class)
class BatchAnswererTest {

    public static final class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("%test.mesh.batch.enabled", "true", "mesh.batch.max-in-flight", "3",
                    "mesh.batch.instance-id", "gateway-test-a");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(KafkaBrokerTestResource.class), new TestResourceEntry(StandInRetrieval.class));
        }
    }

    @Inject
    BatchAnswerer answerer;

    @Test
    void questionsAreAnsweredOnceWithinTheInFlightBoundAndBadRecordsGoToTheDeadLetterTopic() throws Exception {
        String bootstrap = ConfigProvider.getConfig().getValue("mesh.kafka.bootstrap-servers", String.class);
        int questions = 12;
        Map<String, RecordMetadata> bad = new HashMap<>();
        try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap)) {
            for (int i = 0; i < questions; i++) {
                if (i == 5) {
                    bad.put("poison-1", send(producer, "poison-1", new byte[] {(byte) 0xff, 0x01, 0x02, 0x7f}));
                    bad.put("empty-1", send(producer, "empty-1", BatchQuestion.newBuilder().setQuestionId("empty-1")
                            .setText("   ").build().toByteArray()));
                    bad.put("mismatch-1", send(producer, "mismatch-1", BatchQuestion.newBuilder().setQuestionId("other-id")
                            .setText("Who made BERT?").build().toByteArray()));
                    // what kcat sends: protobuf JSON, said so by the content-type header
                    ProducerRecord<byte[], byte[]> json = new ProducerRecord<>(MeshTopic.QUESTIONS.topicName(),
                            "json-1".getBytes(StandardCharsets.UTF_8),
                            "{\"text\": \"Who wrote this in JSON?\", \"options\": {\"searchResultCount\": 2}}".getBytes(StandardCharsets.UTF_8));
                    json.headers().add("content-type", "application/json".getBytes(StandardCharsets.UTF_8));
                    producer.send(json).get(30, TimeUnit.SECONDS);
                }
                send(producer, "q-" + i, BatchQuestion.newBuilder().setText("Question number " + i + "?").build().toByteArray());
            }
        }

        // the window fills up to its limit and no further while every search is held
        assertThat(StandInRetrieval.arrivals.await(30, TimeUnit.SECONDS)).as("three searches arrive").isTrue();
        assertThat(StandInRetrieval.running.get()).as("questions in flight while searches are held").isEqualTo(3);
        StandInRetrieval.gate.countDown();

        Set<String> expected = new java.util.HashSet<>(Set.of("poison-1", "empty-1", "mismatch-1", "json-1"));
        for (int i = 0; i < questions; i++) {
            expected.add("q-" + i);
        }
        List<ConsumerRecord<byte[], byte[]>> answers = CommittedAnswers.readUntil(bootstrap, MeshTopic.BATCH_ANSWERS.topicName(),
                records -> records.stream().map(CommittedAnswers::key).collect(Collectors.toSet()).containsAll(expected),
                Duration.ofSeconds(60));
        Map<String, Long> perKey = answers.stream().collect(Collectors.groupingBy(CommittedAnswers::key, Collectors.counting()));
        assertThat(perKey.keySet()).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(perKey.values()).as("answers per question").containsOnly(1L);
        assertThat(StandInRetrieval.peak.get()).as("most questions searched at once").isEqualTo(3);
        assertThat(answerer.inFlightPeak()).isEqualTo(3);

        Map<String, BatchAnswer> byKey = answers.stream().collect(Collectors.toMap(CommittedAnswers::key, r -> parse(r.value())));
        for (int i = 0; i < questions; i++) {
            BatchAnswer a = byKey.get("q-" + i);
            assertThat(a.getQuestionId()).isEqualTo("q-" + i);
            assertThat(a.getAnsweredBy()).isEqualTo("gateway-test-a");
            assertThat(a.getTurnId()).isEqualTo("q-" + i);
            assertThat(a.getAnswer().getText()).isEqualTo("Evidence about Question number " + i + "?");
            assertThat(a.getAnswer().getOrigin()).isEqualTo(CandidateOrigin.CANDIDATE_ORIGIN_SEARCH_SNIPPET);
            assertThat(a.getAnswer().getCitedSnippetsList()).hasSize(1);
            assertThat(a.getEvidence().getSnippetsList()).hasSize(1);
            assertThat(a.getCandidatesList()).extracting(c -> c.getOrigin()).contains(CandidateOrigin.CANDIDATE_ORIGIN_SEARCH_SNIPPET);
            assertThat(a.getStatus().getStagesList()).anySatisfy(s -> {
                assertThat(s.getStage()).isEqualTo(Stage.STAGE_DECODE);
                assertThat(s.getState()).isEqualTo(StageState.STAGE_STATE_FAILED);
            });
            assertThat(a.getStatus().getOverallState()).isEqualTo(StageState.STAGE_STATE_DEGRADED);
        }
        assertThat(byKey.get("json-1").getAnswer().getText()).isEqualTo("Evidence about Who wrote this in JSON?");
        // a rejected record whose key is a usable id still gets an answer: an error, so a waiting producer is told
        assertThat(byKey.get("poison-1").getError().getCode()).isEqualTo(Code.INVALID_ARGUMENT);
        assertThat(byKey.get("empty-1").getError().getCode()).isEqualTo(Code.INVALID_ARGUMENT);
        assertThat(byKey.get("empty-1").getError().getMessage()).contains("turn text is empty");
        assertThat(byKey.get("mismatch-1").getError().getMessage()).contains("differs from the record key");
        assertThat(answers).allSatisfy(r -> assertThat(new String(r.headers().lastHeader("ce_type").value(), StandardCharsets.UTF_8))
                .isEqualTo("org.sparrowmesh.v1.BatchAnswer"));

        List<ConsumerRecord<byte[], byte[]>> dlq = CommittedAnswers.readUntil(bootstrap, MeshTopic.DEAD_LETTERS.topicName(),
                records -> records.size() >= 3, Duration.ofSeconds(30));
        Map<String, DeadLetter> letters = dlq.stream().collect(Collectors.toMap(CommittedAnswers::key, r -> deadLetter(r.value())));
        assertThat(letters.keySet()).containsExactlyInAnyOrder("poison-1", "empty-1", "mismatch-1");
        letters.forEach((key, letter) -> {
            assertThat(letter.getOriginTopic()).isEqualTo(MeshTopic.QUESTIONS.topicName());
            assertThat(letter.getOriginPartition()).isEqualTo(bad.get(key).partition());
            assertThat(letter.getOriginOffset()).isEqualTo(bad.get(key).offset());
            assertThat(letter.getConsumerGroup()).isEqualTo("gateway-batch");
            assertThat(letter.getConsumerService()).isEqualTo("gateway");
        });
        assertThat(letters.get("poison-1").getCause()).isEqualTo(DeadLetterCause.DEAD_LETTER_CAUSE_UNPARSEABLE);
        assertThat(letters.get("poison-1").getReason()).contains("not a sparrowmesh.v1.BatchQuestion");
        assertThat(letters.get("poison-1").getOriginalValue().toByteArray()).containsExactly((byte) 0xff, 0x01, 0x02, 0x7f);
        assertThat(letters.get("empty-1").getCause()).isEqualTo(DeadLetterCause.DEAD_LETTER_CAUSE_INVALID);
        assertThat(letters.get("empty-1").getReason()).contains("turn text is empty");
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static RecordMetadata send(KafkaProducer<byte[], byte[]> producer, String key, byte[] value) throws Exception {
        return producer.send(new ProducerRecord<>(MeshTopic.QUESTIONS.topicName(), key.getBytes(StandardCharsets.UTF_8), value))
                .get(30, TimeUnit.SECONDS);
    }

    private static BatchAnswer parse(byte[] value) {
        try {
            return BatchAnswer.parseFrom(value);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static DeadLetter deadLetter(byte[] value) {
        try {
            return DeadLetter.parseFrom(value);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
