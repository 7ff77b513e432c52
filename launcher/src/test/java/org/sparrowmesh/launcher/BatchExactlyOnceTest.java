package org.sparrowmesh.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.sparrowmesh.proto.v1.BatchAnswer;
import org.sparrowmesh.proto.v1.BatchQuestion;
import org.sparrowmesh.proto.v1.CandidateOrigin;
import org.sparrowmesh.proto.v1.DeadLetter;
import org.sparrowmesh.proto.v1.DeadLetterCause;

/**
 * Issue #11's acceptance against a real broker and real processes: two gateways (child JVMs,
 * instances "a" and "b", at most 8 questions in flight each) answer mesh.questions with the turn
 * pipeline, the retrieval tool serving the demo corpus behind them (no decoder model: answers come
 * from the evidence). Each run produces 1000 questions and counts the answers by key with a
 * read_committed consumer, after the group has committed every question offset: exactly one
 * answer per question — with both instances up and a poison record in the middle; with one
 * instance killed by SIGKILL mid-run and started again; with the broker restarted mid-run on the
 * same data folder. Then `mesh batch` itself, file in, file out.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BatchExactlyOnceTest {

    private static final int QUESTIONS = 1000;
    private static final int MAX_IN_FLIGHT = 8;
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(240);
    private static final List<String> TEXTS = List.of("Who introduced LaMDA, and in which year?", "What is Sparrow?",
            "Which model introduced instruction tuning with human feedback?", "Who made BERT?",
            "What does a reward model score?", "What is retrieval-augmented generation?");

    private static BatchCluster cluster;
    private static AnswerCounter answers;

    @BeforeAll
    static void start() throws Exception {
        cluster = new BatchCluster();
        cluster.startBroker();
        cluster.startRetrieval();
        cluster.startGateway("a", MAX_IN_FLIGHT);
        cluster.startGateway("b", MAX_IN_FLIGHT);
        answers = new AnswerCounter(cluster.bootstrap(), BatchCommand.ANSWERS);
    }

    @AfterAll
    static void stop() {
        if (answers != null) {
            answers.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void aThousandQuestionsOverTwoInstancesAreEachAnsweredExactlyOnceAndThePoisonGoesToTheDeadLetterTopic() throws Exception {
        List<String> ids = ids("run1");
        long start = System.nanoTime();
        RecordMetadata poison = produce(ids, "run1-poison");
        answers.awaitAnswered(ids, QUESTIONS, RUN_TIMEOUT);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("batch: %d questions over 2 instances in %.1f s: %.1f questions/s%n", QUESTIONS, seconds, QUESTIONS / seconds);
        answers.awaitSettled("gateway-batch", BatchCommand.QUESTIONS, RUN_TIMEOUT);

        assertExactlyOnce(ids);
        assertThat(answers.answeredBy(ids, "a")).as("answered by a").isPositive();
        assertThat(answers.answeredBy(ids, "b")).as("answered by b").isPositive();
        for (String id : ids) {
            BatchAnswer a = answers.answers.get(id);
            assertThat(a.hasAnswer()).as(id + ": " + a.getError().getMessage()).isTrue();
            assertThat(a.getAnswer().getOrigin()).isEqualTo(CandidateOrigin.CANDIDATE_ORIGIN_SEARCH_SNIPPET);
            assertThat(a.getAnswer().getCitedSnippetsList()).isNotEmpty();
            assertThat(a.getEvidence().getSnippetsList()).isNotEmpty();
        }
        // the poison: an error answer under its key, and the record itself in mesh.dlq with its origin
        assertThat(answers.counts.get("run1-poison")).isEqualTo(1);
        assertThat(answers.answers.get("run1-poison").getError().getMessage()).contains("not a sparrowmesh.v1.BatchQuestion");
        DeadLetter letter = deadLetter("run1-poison");
        assertThat(letter.getOriginTopic()).isEqualTo(BatchCommand.QUESTIONS);
        assertThat(letter.getOriginPartition()).isEqualTo(poison.partition());
        assertThat(letter.getOriginOffset()).isEqualTo(poison.offset());
        assertThat(letter.getCause()).isEqualTo(DeadLetterCause.DEAD_LETTER_CAUSE_UNPARSEABLE);
        assertThat(letter.getReason()).contains("not a sparrowmesh.v1.BatchQuestion");
        // the window held: never more questions in flight than configured, and it was used
        for (String instance : List.of("a", "b")) {
            double peak = metric(cluster.gatewayPort(instance), "mesh_batch_in_flight_peak");
            assertThat(peak).as("in-flight peak of " + instance).isBetween(2.0, (double) MAX_IN_FLIGHT);
        }
    }

    @Test
    @Order(2)
    void killNineOfOneInstanceMidRunThenRestartingItStillAnswersEachQuestionExactlyOnce() throws Exception {
        List<String> ids = ids("run2");
        produce(ids, null);
        // mid-run: both instances have been answering this run, most questions are still to come
        long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
        while (answers.answered(ids) < 100 || answers.answeredBy(ids, "a") == 0) {
            assertThat(System.nanoTime()).as("instance a answers part of run2").isLessThan(deadline);
            answers.pollOnce();
        }
        long before = answers.answered(ids);
        cluster.killGateway("a");
        System.out.printf("batch: killed instance a (SIGKILL) after %d of %d answers%n", before, QUESTIONS);
        assertThat(before).as("killed mid-run").isLessThan(QUESTIONS);
        cluster.startGateway("a", MAX_IN_FLIGHT);

        answers.awaitAnswered(ids, QUESTIONS, RUN_TIMEOUT);
        answers.awaitSettled("gateway-batch", BatchCommand.QUESTIONS, RUN_TIMEOUT);
        assertExactlyOnce(ids);
        System.out.printf("batch: after the kill, %d questions have more than one answer record in the raw log"
                + " (aborted transactions, invisible to read_committed)%n", rawDuplicates(ids));
    }

    @Test
    @Order(3)
    void restartingTheBrokerMidRunOnTheSameDataFolderLosesNothingAndDuplicatesNothing() throws Exception {
        List<String> ids = ids("run3");
        produce(ids, null);
        answers.awaitAnswered(ids, 100, RUN_TIMEOUT);
        long before = answers.answered(ids);
        cluster.stopBroker();
        cluster.startBroker();
        System.out.printf("batch: broker restarted after %d of %d answers%n", before, QUESTIONS);
        assertThat(before).as("restarted mid-run").isLessThan(QUESTIONS);

        answers.awaitAnswered(ids, QUESTIONS, RUN_TIMEOUT);
        answers.awaitSettled("gateway-batch", BatchCommand.QUESTIONS, RUN_TIMEOUT);
        assertExactlyOnce(ids);
        System.out.printf("batch: after the broker restart, %d questions have more than one answer record in the raw log%n",
                rawDuplicates(ids));
        assertThat(cluster.gateway("a").isAlive()).isTrue();
        assertThat(cluster.gateway("b").isAlive()).isTrue();
    }

    @Test
    @Order(4)
    void meshBatchSendsAFileFollowsTheAnswersAndWritesThemInFileOrder() throws Exception {
        Path dir = Files.createTempDirectory(cluster.state, "cli-");
        Path in = dir.resolve("questions.jsonl");
        Files.writeString(in, """
                {"id": "cli-1", "text": "Who introduced LaMDA, and in which year?"}
                {"text": "What is Sparrow?", "options": {"searchResultCount": 3}}

                {"id": "cli-3", "question": "Who made BERT?"}
                """);
        MeshFixture mesh = new MeshFixture(dir);
        mesh.env.put(Component.portVariable("kafka"), Integer.toString(cluster.kafkaPort));
        mesh.env.put(Component.portVariable("gateway"), Integer.toString(cluster.gatewayPort("b")));
        MeshFixture.Run run = mesh.run("batch", "questions.jsonl", "--out", "answers.jsonl", "--timeout", "120");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).contains("3 questions sent to mesh.questions", "3 questions answered in");
        List<JsonNode> lines = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(dir.resolve("answers.jsonl"))) {
            lines.add(json.readTree(line));
        }
        assertThat(lines).extracting(l -> l.get("question").asText())
                .containsExactly("Who introduced LaMDA, and in which year?", "What is Sparrow?", "Who made BERT?");
        assertThat(lines.get(0).get("id").asText()).isEqualTo("cli-1");
        assertThat(lines.get(1).get("id").asText()).endsWith("-2"); // made from the line number
        assertThat(lines.get(0).get("answer").asText()).contains("LaMDA");
        assertThat(lines).allSatisfy(l -> {
            assertThat(l.get("origin").asText()).isEqualTo("search_snippet");
            assertThat(l.get("sources")).isNotEmpty();
            assertThat(l.get("answered_by").asText()).isIn("a", "b");
        });

        Files.writeString(in, "{\"id\": \"has space\", \"text\": \"x\"}\nnot json\n");
        MeshFixture.Run bad = mesh.run("batch", "questions.jsonl");
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.err()).contains("2 bad line(s), nothing was sent", "line 1: \"id\" must be", "line 2: not JSON");
    }

    // ------------------------------------------------------------------ helpers

    private static void assertExactlyOnce(List<String> ids) {
        Map<Integer, Long> histogram = ids.stream().collect(Collectors.groupingBy(id -> answers.counts.getOrDefault(id, 0),
                Collectors.counting()));
        assertThat(histogram).as("questions by number of committed answers").containsOnlyKeys(1).containsEntry(1, (long) QUESTIONS);
    }

    private static List<String> ids(String run) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < QUESTIONS; i++) {
            ids.add(String.format("%s-%04d", run, i));
        }
        return ids;
    }

    /** Produces the questions (and a poison record halfway through, when named); returns the poison's metadata. */
    private static RecordMetadata produce(List<String> ids, String poisonKey) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        RecordMetadata poison = null;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            Future<RecordMetadata> poisonSent = null;
            for (int i = 0; i < ids.size(); i++) {
                if (poisonKey != null && i == ids.size() / 2) {
                    poisonSent = producer.send(new ProducerRecord<>(BatchCommand.QUESTIONS, utf8(poisonKey), new byte[] {(byte) 0xff, 0x00, 0x13}));
                }
                BatchQuestion q = BatchQuestion.newBuilder().setQuestionId(ids.get(i)).setText(TEXTS.get(i % TEXTS.size())).build();
                sent.add(producer.send(new ProducerRecord<>(BatchCommand.QUESTIONS, utf8(ids.get(i)), q.toByteArray())));
            }
            for (Future<RecordMetadata> f : sent) {
                f.get(60, TimeUnit.SECONDS);
            }
            if (poisonSent != null) {
                poison = poisonSent.get(60, TimeUnit.SECONDS);
            }
        }
        return poison;
    }

    /** Questions with more than one record on mesh.batch-answers as read_uncommitted sees them: aborted answers included. */
    private static long rawDuplicates(List<String> ids) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap());
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        java.util.Set<String> wanted = new java.util.HashSet<>(ids);
        Map<String, Integer> raw = new java.util.HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(BatchCommand.ANSWERS, Duration.ofSeconds(30)).stream()
                    .map(info -> new TopicPartition(BatchCommand.ANSWERS, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    String key = new String(r.key(), StandardCharsets.UTF_8);
                    if (wanted.contains(key)) {
                        raw.merge(key, 1, Integer::sum);
                    }
                }
            }
        }
        return raw.values().stream().filter(n -> n > 1).count();
    }

    private static DeadLetter deadLetter(String key) throws Exception {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap());
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor("mesh.dlq", Duration.ofSeconds(30)).stream()
                    .map(info -> new TopicPartition("mesh.dlq", info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            List<DeadLetter> found = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (key.equals(new String(r.key(), StandardCharsets.UTF_8))) {
                        found.add(DeadLetter.parseFrom(r.value()));
                    }
                }
            }
            assertThat(found).as("dead letters under " + key).hasSize(1);
            return found.get(0);
        }
    }

    private static double metric(int port, String name) throws Exception {
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            String text = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/metrics"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
            return text.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst()
                    .orElseThrow(() -> new AssertionError(name + " not in the metrics of port " + port));
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
