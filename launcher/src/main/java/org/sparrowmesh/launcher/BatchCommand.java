package org.sparrowmesh.launcher;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

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
import org.sparrowmesh.proto.v1.BatchAnswer;
import org.sparrowmesh.proto.v1.Snippet;
import org.sparrowmesh.proto.v1.StageState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code mesh batch IN.jsonl [--out OUT.jsonl]}: produces the file's questions on
 * {@code mesh.questions} (key: question id), follows {@code mesh.batch-answers} with a
 * {@code read_committed} consumer from where the topic ended before the first question was sent,
 * with a progress bar on stderr, and once every question has its answer writes them — one JSON
 * object per line, in the file's order — to {@code --out} or stdout. Starts the local mesh when it
 * is not running.
 */
@Command(name = "batch", description = "Answers a file of questions through Kafka (mesh.questions → mesh.batch-answers).")
final class BatchCommand implements Callable<Integer> {

    static final String QUESTIONS = "mesh.questions";
    static final String ANSWERS = "mesh.batch-answers";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Mixin
    HelpOption helpOption;

    @ParentCommand
    MeshCommand mesh;

    @Parameters(paramLabel = "IN.jsonl", description = "Questions, one JSON object per line: {\"id\": \"q1\", \"text\": \"…\", \"options\": {…}}"
            + " (id optional; options: sparrowmesh.v1.TurnOptions in protobuf JSON, e.g. {\"maxTokens\": 64}).")
    Path input;

    @Option(names = "--out", paramLabel = "OUT.jsonl", description = "Where the answers go (default: stdout).")
    Path output;

    @Option(names = "--model", paramLabel = "FILE", description = "GGUF model for the decoder, when this starts the mesh.")
    Path model;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "3600",
            description = "Give up waiting for answers after this long (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Override
    public Integer call() throws Exception {
        List<BatchFile.Entry> entries = BatchFile.read(mesh.cwd().resolve(input));
        AskCommand.ensureMeshUp(mesh, model);
        String bootstrap = mesh.config().kafkaBootstrap();
        Map<String, BatchFile.Entry> pending = new LinkedHashMap<>();
        entries.forEach(e -> pending.put(e.id(), e));
        Map<String, BatchAnswer> answers = new HashMap<>();
        long start = System.nanoTime();
        try (KafkaConsumer<byte[], byte[]> consumer = answerConsumer(bootstrap)) {
            // from the end as it is now: answers of earlier runs to the same ids are not ours
            List<TopicPartition> partitions = consumer.partitionsFor(ANSWERS, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(ANSWERS, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
            produce(bootstrap, entries);
            long deadline = start + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            long lastDraw = 0;
            while (answers.size() < entries.size()) {
                if (System.nanoTime() > deadline) {
                    mesh.err().println();
                    throw new MeshException(answers.size() + " of " + entries.size() + " questions answered within "
                            + timeoutSeconds + " s; is the gateway's batch answerer running (./mesh status, ./mesh logs gateway)?");
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    String id = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
                    if (id != null && pending.containsKey(id) && !answers.containsKey(id)) {
                        answers.put(id, BatchAnswer.parseFrom(record.value()));
                    }
                }
                if (System.nanoTime() - lastDraw > TimeUnit.MILLISECONDS.toNanos(200) || answers.size() == entries.size()) {
                    lastDraw = System.nanoTime();
                    progress(answers, entries.size(), start);
                }
            }
        }
        mesh.err().println();
        double seconds = (System.nanoTime() - start) / 1e9;
        long errors = answers.values().stream().filter(BatchAnswer::hasError).count();
        write(entries, answers);
        mesh.err().printf("mesh: %d questions answered in %.1f s (%.1f questions/s), %d of them with an error%s%n",
                entries.size(), seconds, entries.size() / seconds, errors, output == null ? "" : "; answers in " + output);
        mesh.err().flush();
        return 0;
    }

    private static KafkaConsumer<byte[], byte[]> answerConsumer(String bootstrap) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // only answers of committed transactions: each question's answer is seen exactly once
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private void produce(String bootstrap, List<BatchFile.Entry> entries) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "10");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            List<Future<RecordMetadata>> sent = new ArrayList<>(entries.size());
            for (BatchFile.Entry e : entries) {
                var question = e.question().toBuilder().setOccurredAt(timestamp(Instant.now())).build();
                ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(QUESTIONS, e.id().getBytes(StandardCharsets.UTF_8),
                        question.toByteArray());
                cloudEvent(record, "BatchQuestion");
                sent.add(producer.send(record));
            }
            for (Future<RecordMetadata> f : sent) {
                f.get(60, TimeUnit.SECONDS);
            }
        }
        mesh.err().printf("mesh: %d questions sent to %s%n", entries.size(), QUESTIONS);
        mesh.err().flush();
    }

    static void cloudEvent(ProducerRecord<byte[], byte[]> record, String type) {
        record.headers().add("ce_specversion", utf8("1.0")).add("ce_id", utf8(UUID.randomUUID().toString()))
                .add("ce_source", utf8("/sparrow-mesh/mesh-batch")).add("ce_type", utf8("org.sparrowmesh.v1." + type))
                .add("ce_time", utf8(Instant.now().toString())).add("content-type", utf8("application/protobuf"));
    }

    private void progress(Map<String, BatchAnswer> answers, int total, long start) {
        int width = 30;
        int done = width * answers.size() / total;
        double seconds = Math.max(1e-3, (System.nanoTime() - start) / 1e9);
        long errors = answers.values().stream().filter(BatchAnswer::hasError).count();
        mesh.err().printf("\r[%s%s] %d/%d answered, %d errors, %.1f questions/s ", "#".repeat(done), " ".repeat(width - done),
                answers.size(), total, errors, answers.size() / seconds);
        mesh.err().flush();
    }

    private void write(List<BatchFile.Entry> entries, Map<String, BatchAnswer> answers) throws IOException {
        Writer target = output == null ? mesh.out() : Files.newBufferedWriter(mesh.cwd().resolve(output), StandardCharsets.UTF_8);
        try (PrintWriter out = new PrintWriter(target instanceof BufferedWriter || target instanceof PrintWriter ? target
                : new BufferedWriter(target))) {
            for (BatchFile.Entry e : entries) {
                out.println(MAPPER.writeValueAsString(line(e, answers.get(e.id()))));
            }
            out.flush();
            if (output == null) {
                return; // leave stdout open
            }
        }
    }

    /** One output line: what a reader of the answers needs, flat. */
    static Map<String, Object> line(BatchFile.Entry entry, BatchAnswer a) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("id", entry.id());
        line.put("question", entry.question().getText());
        if (a.hasAnswer()) {
            line.put("answer", a.getAnswer().getText());
            line.put("origin", a.getAnswer().getOrigin().name().replace("CANDIDATE_ORIGIN_", "").toLowerCase());
            line.put("reward", a.getAnswer().getReward());
            List<Map<String, Object>> sources = new ArrayList<>();
            for (Snippet s : a.getAnswer().getCitedSnippetsList()) {
                Map<String, Object> source = new LinkedHashMap<>();
                source.put("title", s.getTitle());
                source.put("source", s.getSource());
                source.put("text", s.getText());
                sources.add(source);
            }
            line.put("sources", sources);
        }
        if (a.hasError()) {
            line.put("error", Map.of("code", a.getError().getCode().name(), "message", a.getError().getMessage()));
        }
        if (a.hasStatus()) {
            line.put("status", a.getStatus().getOverallState().name().replace("STAGE_STATE_", "").toLowerCase());
            line.put("seconds", a.getStatus().getTotalDuration().getSeconds() + a.getStatus().getTotalDuration().getNanos() / 1e9);
            List<String> degraded = a.getStatus().getStagesList().stream()
                    .filter(st -> st.getState() == StageState.STAGE_STATE_DEGRADED || st.getState() == StageState.STAGE_STATE_FAILED)
                    .map(st -> st.getStage().name().replace("STAGE_", "").toLowerCase() + ": " + st.getReason()).toList();
            if (!degraded.isEmpty()) {
                line.put("degraded", degraded);
            }
        }
        line.put("candidates", a.getCandidatesCount());
        line.put("answered_by", a.getAnsweredBy());
        return line;
    }

    private static com.google.protobuf.Timestamp timestamp(Instant t) {
        return com.google.protobuf.Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
