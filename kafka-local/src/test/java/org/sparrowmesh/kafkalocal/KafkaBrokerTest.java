package org.sparrowmesh.kafkalocal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.sparrowmesh.events.MeshTopic;
import org.sparrowmesh.kafkalocal.junit.KafkaBrokerExtension;
import org.sparrowmesh.kafkalocal.junit.TopicReader;
import picocli.CommandLine;

class KafkaBrokerTest {

    @RegisterExtension
    static final KafkaBrokerExtension kafka = new KafkaBrokerExtension();

    @Test
    void createsEveryMeshTopicAtStart() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            Map<String, TopicDescription> topics =
                    admin.describeTopics(MeshTopic.allTopicNames()).allTopicNames().get();
            assertThat(topics.keySet()).containsExactlyInAnyOrderElementsOf(MeshTopic.allTopicNames());
            assertThat(topics.values()).allSatisfy(t ->
                    assertThat(t.partitions()).hasSize(kafka.settings().topicPartitions()));
        }
    }

    @Test
    void recordsSurviveARestartOnTheSameDataFolder() {
        String key = "conversation-" + UUID.randomUUID();
        String topic = MeshTopic.TURNS.topicName();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig())) {
            producer.send(new ProducerRecord<>(topic, key, "hello before restart")).get();
        } catch (Exception e) {
            throw new AssertionError("producing failed", e);
        }

        kafka.restart();

        List<ConsumerRecord<String, String>> found = TopicReader.readAll(kafka.bootstrapServers(), topic,
                new StringDeserializer(), new StringDeserializer());
        assertThat(found).anySatisfy(r -> {
            assertThat(r.key()).isEqualTo(key);
            assertThat(r.value()).isEqualTo("hello before restart");
        });
    }

    @Test
    void brokerMainRefusesAPortThatIsTakenWithOneClearLine(@TempDir Path dataDir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            StringWriter err = new StringWriter();
            int exit = new CommandLine(new KafkaBrokerMain())
                    .setErr(new PrintWriter(err))
                    .setExecutionExceptionHandler((e, cmd, parsed) -> {
                        cmd.getErr().println("kafka-local: " + e.getMessage());
                        return 1;
                    })
                    .execute("--data-dir", dataDir.toString(), "--port", Integer.toString(taken.getLocalPort()));
            assertThat(exit).isEqualTo(1);
            assertThat(err.toString().strip())
                    .isEqualTo("kafka-local: the Kafka client port 127.0.0.1:" + taken.getLocalPort()
                            + " is already in use by another process");
        }
    }

    @Test
    void settingsNameTheBadValue(@TempDir Path dataDir) {
        assertThatThrownBy(() -> new BrokerSettings(dataDir, 0, 9093, 1, Duration.ofHours(1), Map.of()))
                .hasMessage("port must be within [1, 65535], got 0");
        assertThatThrownBy(() -> new BrokerSettings(dataDir, 9092, 9092, 1, Duration.ofHours(1), Map.of()))
                .hasMessage("port and controller port must differ, both are 9092");
        assertThatThrownBy(() -> new BrokerSettings(dataDir, 9092, 9093, 0, Duration.ofHours(1), Map.of()))
                .hasMessage("topic partitions must be within [1, 1000], got 0");
    }

    @Test
    void scramTlsSettingsNameTheBadValueAndHideThePasswords(@TempDir Path dir) {
        TlsStores tls = new TlsStores(dir.resolve("broker.p12"), dir.resolve("truststore.p12"), "store-secret");
        BrokerSettings plain = new BrokerSettings(dir, 9092, 9093, 1, Duration.ofHours(1), Map.of());
        assertThatThrownBy(() -> plain.withScramTls(new ScramTlsListener(9093, tls, "gateway", "scram-secret")))
                .hasMessage("the SASL_SSL port must differ from the port and the controller port, got 9093");
        assertThatThrownBy(() -> new ScramTlsListener(9094, tls, "gate,way", "scram-secret"))
                .hasMessage("SCRAM username must be 1 to 64 of A-Z a-z 0-9 . _ -, got 'gate,way'");

        BrokerSettings secured = plain.withScramTls(new ScramTlsListener(9094, tls, "gateway", "scram-secret"));
        assertThat(secured.serverProperties())
                .containsEntry("listeners", "PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093,SASL_SSL://127.0.0.1:9094")
                .containsEntry("listener.name.sasl_ssl.sasl.enabled.mechanisms", "SCRAM-SHA-512");
        assertThat(secured.toString()).contains("username=gateway").doesNotContain("store-secret", "scram-secret");
    }

    private static Properties producerConfig() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return p;
    }
}
