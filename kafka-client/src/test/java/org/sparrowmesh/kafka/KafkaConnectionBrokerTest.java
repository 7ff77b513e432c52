package org.sparrowmesh.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLHandshakeException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.sparrowmesh.kafkalocal.ScramTlsListener;
import org.sparrowmesh.kafkalocal.junit.KafkaBrokerExtension;

/**
 * The mesh.kafka.* settings of the k8s prod overlay (SASL_SSL, SCRAM-SHA-512, a PKCS12 trust store)
 * against a real broker with such a listener: every client here gets its connection properties only
 * from {@link KafkaConnection}. The broker's certificate is self-signed and made for this run, so
 * only a client given the trust store can finish the TLS handshake, and the listener knows one
 * SCRAM user.
 */
class KafkaConnectionBrokerTest {

    private static final String USER = "gateway";
    private static final String PASSWORD = "gateway-scram-secret";
    /** Every wait is bounded by this: Kafka's own blocking calls and our waits on their futures. */
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @RegisterExtension
    static final KafkaBrokerExtension kafka = KafkaBrokerExtension.withScramTls(USER, PASSWORD);

    /** What k8s/overlays/prod gives a service, pointed at the test broker's SASL_SSL listener. */
    private static Map<String, String> prodLikeSettings() {
        ScramTlsListener listener = kafka.scramTls();
        Map<String, String> settings = new HashMap<>();
        settings.put(KafkaConnection.BOOTSTRAP_SERVERS, listener.bootstrapServers());
        settings.put(KafkaConnection.SECURITY_PROTOCOL, "SASL_SSL");
        settings.put(KafkaConnection.SASL_MECHANISM, "SCRAM-SHA-512");
        settings.put(KafkaConnection.SASL_USERNAME, USER);
        settings.put(KafkaConnection.SASL_PASSWORD, PASSWORD);
        settings.put(KafkaConnection.TRUSTSTORE_LOCATION, listener.tls().truststore().toString());
        settings.put(KafkaConnection.TRUSTSTORE_TYPE, "PKCS12");
        settings.put(KafkaConnection.TRUSTSTORE_PASSWORD, listener.tls().password());
        return settings;
    }

    private static Properties connection(Map<String, String> settings) {
        return KafkaConnection.from(key -> Optional.ofNullable(settings.get(key))).clientProperties();
    }

    private static KafkaProducer<String, String> producer(Map<String, String> settings) {
        Properties p = connection(settings);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(TIMEOUT.toMillis()));
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    @Test
    void producesAndConsumesOverSaslSslWithScramSha512() throws Exception {
        Map<String, String> settings = prodLikeSettings();
        String topic = "scram-roundtrip-" + UUID.randomUUID();
        try (Admin admin = Admin.create(connection(settings))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }

        RecordMetadata sent;
        try (KafkaProducer<String, String> producer = producer(settings)) {
            sent = producer.send(new ProducerRecord<>(topic, "turn-1", "hello over TLS and SCRAM"))
                    .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }

        Properties c = connection(settings);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<ConsumerRecord<String, String>> received = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition partition = new TopicPartition(topic, sent.partition());
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (consumer.position(partition, TIMEOUT) <= sent.offset() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(received::add);
            }
        }
        assertThat(received).singleElement().satisfies(r -> {
            assertThat(r.key()).isEqualTo("turn-1");
            assertThat(r.value()).isEqualTo("hello over TLS and SCRAM");
        });
    }

    @Test
    void aWrongPasswordFailsWithAnAuthenticationError() {
        Map<String, String> settings = prodLikeSettings();
        settings.put(KafkaConnection.SASL_PASSWORD, "not-the-password");
        Throwable failure;
        try (KafkaProducer<String, String> producer = producer(settings)) {
            failure = unwrap(catchThrowable(() -> producer.send(new ProducerRecord<>("mesh.turns", "k", "v"))
                    .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)));
        }
        // a TimeoutException here would mean the client kept retrying instead of being refused
        assertThat(failure).isInstanceOf(SaslAuthenticationException.class)
                .hasMessageContaining("invalid credentials with SASL mechanism SCRAM-SHA-512");
    }

    @Test
    void aClientWithoutTheTrustStoreFailsTheTlsHandshake() {
        Map<String, String> settings = prodLikeSettings();
        settings.remove(KafkaConnection.TRUSTSTORE_LOCATION); // the JVM's own trust store, which lacks the broker's CA
        settings.remove(KafkaConnection.TRUSTSTORE_PASSWORD);
        Throwable failure;
        try (KafkaProducer<String, String> producer = producer(settings)) {
            failure = unwrap(catchThrowable(() -> producer.send(new ProducerRecord<>("mesh.turns", "k", "v"))
                    .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)));
        }
        assertThat(failure).isInstanceOf(SslAuthenticationException.class)
                .hasMessageContaining("SSL handshake failed")
                .hasRootCauseMessage("unable to find valid certification path to requested target");
        assertThat(failure).cause().isInstanceOf(SSLHandshakeException.class);
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof ExecutionException e ? e.getCause() : failure;
    }
}
