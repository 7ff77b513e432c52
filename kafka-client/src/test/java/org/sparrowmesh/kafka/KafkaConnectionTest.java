package org.sparrowmesh.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mesh.kafka.* settings → Kafka client properties, and the combinations refused with the key named. */
class KafkaConnectionTest {

    @TempDir
    Path dir;

    private static KafkaConnection read(Map<String, String> settings) {
        return KafkaConnection.from(key -> Optional.ofNullable(settings.get(key)));
    }

    private static Map<String, String> settings(String... keyValues) {
        Map<String, String> m = new HashMap<>();
        m.put(KafkaConnection.BOOTSTRAP_SERVERS, "mesh-kafka-bootstrap:9093");
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    /** A PKCS12 trust store as Strimzi's ca.p12 is one (no certificate needed for the client to load it). */
    private Path truststore(String password) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        Path file = dir.resolve("ca.p12");
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, password.toCharArray());
        }
        return file;
    }

    @Test
    void onlyTheBootstrapServersGivePlaintext() {
        Properties p = read(settings()).clientProperties();
        assertThat(p).containsOnly(Map.entry("bootstrap.servers", "mesh-kafka-bootstrap:9093"),
                Map.entry("security.protocol", "PLAINTEXT"));
    }

    @Test
    void saslSslWithScramGivesTheLoginAndTheTrustStore() throws Exception {
        Path ca = truststore("ca-secret");
        KafkaConnection c = read(settings(KafkaConnection.SECURITY_PROTOCOL, "sasl_ssl", KafkaConnection.SASL_MECHANISM, "SCRAM-SHA-512",
                KafkaConnection.SASL_USERNAME, "gateway", KafkaConnection.SASL_PASSWORD, "pa\"ss\\word",
                KafkaConnection.TRUSTSTORE_LOCATION, ca.toString(), KafkaConnection.TRUSTSTORE_PASSWORD, "ca-secret"));
        Properties p = c.clientProperties();
        assertThat(p).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required"
                        + " username=\"gateway\" password=\"pa\\\"ss\\\\word\";")
                .containsEntry("ssl.truststore.location", ca.toString())
                .containsEntry("ssl.truststore.type", "PKCS12")
                .containsEntry("ssl.truststore.password", "ca-secret");
        assertThat(c.toString()).contains("SASL_SSL", "SCRAM-SHA-512 as gateway", ca.toString())
                .doesNotContain("pa\"ss").doesNotContain("ca-secret");
    }

    @Test
    void kafkasOwnClientAcceptsTheProperties() throws Exception {
        // building a consumer parses the JAAS line and loads the trust store, without a broker
        Path ca = truststore("ca-secret");
        Properties p = read(settings(KafkaConnection.SECURITY_PROTOCOL, "SASL_SSL", KafkaConnection.SASL_USERNAME, "retrieval",
                KafkaConnection.SASL_PASSWORD, "s3cret", KafkaConnection.TRUSTSTORE_LOCATION, ca.toString(),
                KafkaConnection.TRUSTSTORE_PASSWORD, "ca-secret")).clientProperties();
        p.put("bootstrap.servers", "127.0.0.1:9"); // the client resolves the name at once; no broker is contacted
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer()).close();

        // and the same client refuses a trust store password that does not open the store
        p.put("ssl.truststore.password", "wrong");
        assertThatThrownBy(() -> new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer()))
                .isInstanceOf(org.apache.kafka.common.KafkaException.class);
    }

    @Test
    void thePlainMechanismUsesThePlainLoginModule() {
        Properties p = read(settings(KafkaConnection.SECURITY_PROTOCOL, "SASL_PLAINTEXT", KafkaConnection.SASL_MECHANISM, "plain",
                KafkaConnection.SASL_USERNAME, "u", KafkaConnection.SASL_PASSWORD, "p")).clientProperties();
        assertThat(p).containsEntry("sasl.mechanism", "PLAIN");
        assertThat(p.getProperty("sasl.jaas.config")).startsWith("org.apache.kafka.common.security.plain.PlainLoginModule required");
    }

    @Test
    void blankValuesCountAsUnset() {
        // ${MESH_KAFKA_SASL_USERNAME:} and friends arrive empty when the variable is not set
        Properties p = read(settings(KafkaConnection.SECURITY_PROTOCOL, "", KafkaConnection.SASL_USERNAME, " ",
                KafkaConnection.TRUSTSTORE_LOCATION, "", KafkaConnection.TRUSTSTORE_TYPE, "")).clientProperties();
        assertThat(p).containsEntry("security.protocol", "PLAINTEXT").doesNotContainKey("sasl.jaas.config");
    }

    @Test
    void badCombinationsNameTheKey() throws Exception {
        String ca = truststore("x").toString();
        assertRefused(Map.of(KafkaConnection.BOOTSTRAP_SERVERS, " "),
                "mesh.kafka.bootstrap-servers is empty: set host:port of a broker");
        assertRefused(settings(KafkaConnection.SECURITY_PROTOCOL, "TLS"),
                "mesh.kafka.security-protocol must be one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL, got 'TLS'");
        assertRefused(settings(KafkaConnection.SECURITY_PROTOCOL, "SASL_SSL", KafkaConnection.SASL_PASSWORD, "p"),
                "mesh.kafka.security-protocol=SASL_SSL needs mesh.kafka.sasl-username");
        assertRefused(settings(KafkaConnection.SECURITY_PROTOCOL, "SASL_SSL", KafkaConnection.SASL_USERNAME, "u"),
                "mesh.kafka.security-protocol=SASL_SSL needs mesh.kafka.sasl-password");
        assertRefused(settings(KafkaConnection.SECURITY_PROTOCOL, "SASL_SSL", KafkaConnection.SASL_MECHANISM, "GSSAPI",
                KafkaConnection.SASL_USERNAME, "u", KafkaConnection.SASL_PASSWORD, "p"),
                "mesh.kafka.sasl-mechanism must be one of SCRAM-SHA-512, SCRAM-SHA-256, PLAIN, got 'GSSAPI'");
        assertRefused(settings(KafkaConnection.SASL_USERNAME, "gateway"),
                "mesh.kafka.sasl-username is set but mesh.kafka.security-protocol=PLAINTEXT sends no credentials: use SASL_SSL (or SASL_PLAINTEXT)");
        assertRefused(settings(KafkaConnection.SECURITY_PROTOCOL, "SSL", KafkaConnection.SASL_PASSWORD, "p"),
                "mesh.kafka.sasl-password is set but mesh.kafka.security-protocol=SSL sends no credentials: use SASL_SSL (or SASL_PLAINTEXT)");
        assertRefused(settings(KafkaConnection.SECURITY_PROTOCOL, "SASL_PLAINTEXT", KafkaConnection.SASL_USERNAME, "u",
                KafkaConnection.SASL_PASSWORD, "p", KafkaConnection.TRUSTSTORE_LOCATION, ca),
                "mesh.kafka.ssl-truststore-location is set but mesh.kafka.security-protocol=SASL_PLAINTEXT does not use TLS: use SSL or SASL_SSL");
        assertRefused(settings(KafkaConnection.SECURITY_PROTOCOL, "SSL", KafkaConnection.TRUSTSTORE_PASSWORD, "x"),
                "mesh.kafka.ssl-truststore-password is set without mesh.kafka.ssl-truststore-location");
        assertRefused(settings(KafkaConnection.SECURITY_PROTOCOL, "SSL", KafkaConnection.TRUSTSTORE_LOCATION, ca,
                KafkaConnection.TRUSTSTORE_TYPE, "P12"),
                "mesh.kafka.ssl-truststore-type must be one of PKCS12, JKS, PEM, got 'P12'");
        assertRefused(settings(KafkaConnection.SECURITY_PROTOCOL, "SSL", KafkaConnection.TRUSTSTORE_LOCATION, ca,
                KafkaConnection.TRUSTSTORE_TYPE, "PEM", KafkaConnection.TRUSTSTORE_PASSWORD, "x"),
                "mesh.kafka.ssl-truststore-password must be unset for mesh.kafka.ssl-truststore-type=PEM");
        String missing = dir.resolve("no-such-ca.p12").toString();
        assertRefused(settings(KafkaConnection.SECURITY_PROTOCOL, "SSL", KafkaConnection.TRUSTSTORE_LOCATION, missing),
                "mesh.kafka.ssl-truststore-location " + missing + " is not a readable file");
    }

    private static void assertRefused(Map<String, String> settings, String message) {
        assertThatThrownBy(() -> read(settings)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }
}
