package org.sparrowmesh.kafka;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;

/**
 * How a mesh service reaches Kafka: the brokers and the security settings of {@code mesh.kafka.*},
 * checked once at start and turned into the properties every producer and consumer of the service
 * starts from ({@link #clientProperties()}).
 *
 * <p>Locally the embedded broker speaks PLAINTEXT and only {@code mesh.kafka.bootstrap-servers}
 * matters. On Kubernetes (k8s/overlays/prod) the services use Strimzi's TLS listener with
 * SCRAM-SHA-512: {@code security-protocol=SASL_SSL}, the KafkaUser's name and password (from its
 * Secret), and the cluster CA's PKCS12 trust store. A combination that cannot work (credentials
 * without SASL, a trust store without TLS, a mechanism Kafka does not know) fails the start with
 * the key named, instead of a client that retries an impossible handshake forever.
 *
 * @param bootstrapServers   {@code host:port[,host:port…]}
 * @param securityProtocol   PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL (upper case)
 * @param saslMechanism      SCRAM-SHA-512, SCRAM-SHA-256 or PLAIN; used with a SASL protocol only
 * @param saslUsername       the user to authenticate as (SASL protocols)
 * @param saslPassword       its password (SASL protocols); never printed
 * @param truststoreLocation the CA the brokers' certificates chain to (TLS protocols); empty: the JVM's trust store
 * @param truststoreType     PKCS12, JKS or PEM
 * @param truststorePassword the trust store's password (PKCS12, JKS); never printed
 */
public record KafkaConnection(
        String bootstrapServers,
        String securityProtocol,
        String saslMechanism,
        Optional<String> saslUsername,
        Optional<String> saslPassword,
        Optional<String> truststoreLocation,
        String truststoreType,
        Optional<String> truststorePassword) {

    public static final String BOOTSTRAP_SERVERS = "mesh.kafka.bootstrap-servers";
    public static final String SECURITY_PROTOCOL = "mesh.kafka.security-protocol";
    public static final String SASL_MECHANISM = "mesh.kafka.sasl-mechanism";
    public static final String SASL_USERNAME = "mesh.kafka.sasl-username";
    public static final String SASL_PASSWORD = "mesh.kafka.sasl-password";
    public static final String TRUSTSTORE_LOCATION = "mesh.kafka.ssl-truststore-location";
    public static final String TRUSTSTORE_TYPE = "mesh.kafka.ssl-truststore-type";
    public static final String TRUSTSTORE_PASSWORD = "mesh.kafka.ssl-truststore-password";

    static final List<String> PROTOCOLS = List.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL");
    static final List<String> MECHANISMS = List.of("SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN");
    static final List<String> TRUSTSTORE_TYPES = List.of("PKCS12", "JKS", "PEM");

    public KafkaConnection {
        require(bootstrapServers != null && !bootstrapServers.isBlank(), BOOTSTRAP_SERVERS + " is empty: set host:port of a broker");
        securityProtocol = upper(securityProtocol, "PLAINTEXT");
        saslMechanism = upper(saslMechanism, "SCRAM-SHA-512");
        truststoreType = upper(truststoreType, "PKCS12");
        saslUsername = present(saslUsername);
        saslPassword = present(saslPassword);
        truststoreLocation = present(truststoreLocation);
        truststorePassword = present(truststorePassword);

        require(PROTOCOLS.contains(securityProtocol),
                SECURITY_PROTOCOL + " must be one of " + String.join(", ", PROTOCOLS) + ", got '" + securityProtocol + "'");
        if (usesSasl(securityProtocol)) {
            require(MECHANISMS.contains(saslMechanism),
                    SASL_MECHANISM + " must be one of " + String.join(", ", MECHANISMS) + ", got '" + saslMechanism + "'");
            require(saslUsername.isPresent(), SECURITY_PROTOCOL + "=" + securityProtocol + " needs " + SASL_USERNAME);
            require(saslPassword.isPresent(), SECURITY_PROTOCOL + "=" + securityProtocol + " needs " + SASL_PASSWORD);
        } else {
            // credentials that would silently not be sent are a mistake, not a default
            for (var credential : List.of(new Setting(SASL_USERNAME, saslUsername), new Setting(SASL_PASSWORD, saslPassword))) {
                require(credential.value().isEmpty(), credential.key() + " is set but " + SECURITY_PROTOCOL + "=" + securityProtocol
                        + " sends no credentials: use SASL_SSL (or SASL_PLAINTEXT)");
            }
        }
        if (!securityProtocol.endsWith("SSL")) {
            require(truststoreLocation.isEmpty(), TRUSTSTORE_LOCATION + " is set but " + SECURITY_PROTOCOL + "=" + securityProtocol
                    + " does not use TLS: use SSL or SASL_SSL");
        }
        require(truststorePassword.isEmpty() || truststoreLocation.isPresent(),
                TRUSTSTORE_PASSWORD + " is set without " + TRUSTSTORE_LOCATION);
        require(TRUSTSTORE_TYPES.contains(truststoreType),
                TRUSTSTORE_TYPE + " must be one of " + String.join(", ", TRUSTSTORE_TYPES) + ", got '" + truststoreType + "'");
        // Kafka refuses a password for PEM files
        require(!truststoreType.equals("PEM") || truststorePassword.isEmpty(),
                TRUSTSTORE_PASSWORD + " must be unset for " + TRUSTSTORE_TYPE + "=PEM");
        truststoreLocation.ifPresent(location -> require(Files.isReadable(Path.of(location)),
                TRUSTSTORE_LOCATION + " " + location + " is not a readable file"));
    }

    private record Setting(String key, Optional<String> value) {
    }

    /** A connection without security: the local mesh's embedded broker, and tests. */
    public static KafkaConnection plaintext(String bootstrapServers) {
        return new KafkaConnection(bootstrapServers, "PLAINTEXT", null, Optional.empty(), Optional.empty(), Optional.empty(),
                null, Optional.empty());
    }

    /**
     * Reads the {@code mesh.kafka.*} keys through {@code config} (a key → its value, empty when
     * unset), e.g. {@code key -> config.getOptionalValue(key, String.class)} of MicroProfile Config.
     */
    public static KafkaConnection from(Function<String, Optional<String>> config) {
        return new KafkaConnection(
                config.apply(BOOTSTRAP_SERVERS).orElse(""),
                config.apply(SECURITY_PROTOCOL).orElse(null),
                config.apply(SASL_MECHANISM).orElse(null),
                config.apply(SASL_USERNAME),
                config.apply(SASL_PASSWORD),
                config.apply(TRUSTSTORE_LOCATION),
                config.apply(TRUSTSTORE_TYPE).orElse(null),
                config.apply(TRUSTSTORE_PASSWORD));
    }

    /**
     * A new set of the properties every client of this connection needs: brokers, protocol and,
     * as the protocol asks, the SASL login and the trust store. Each client adds its own.
     */
    public Properties clientProperties() {
        Properties p = new Properties();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, securityProtocol);
        if (usesSasl(securityProtocol)) {
            p.put(SaslConfigs.SASL_MECHANISM, saslMechanism);
            p.put(SaslConfigs.SASL_JAAS_CONFIG, jaasConfig());
        }
        truststoreLocation.ifPresent(location -> {
            p.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, location);
            p.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, truststoreType);
            truststorePassword.ifPresent(password -> p.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, password));
        });
        return p;
    }

    /** The login module line Kafka's SASL client reads; quotes and backslashes escaped for its parser. */
    private String jaasConfig() {
        String module = saslMechanism.equals("PLAIN") ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                : "org.apache.kafka.common.security.scram.ScramLoginModule";
        return module + " required username=\"" + escape(saslUsername.orElseThrow()) + "\" password=\""
                + escape(saslPassword.orElseThrow()) + "\";";
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    /** For the start-up log: everything but the passwords. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("Kafka ").append(bootstrapServers).append(" over ").append(securityProtocol);
        if (usesSasl(securityProtocol)) {
            s.append(", ").append(saslMechanism).append(" as ").append(saslUsername.orElseThrow());
        }
        truststoreLocation.ifPresent(location -> s.append(", trusting ").append(location));
        return s.toString();
    }

    private static boolean usesSasl(String protocol) {
        return protocol.startsWith("SASL_");
    }

    private static String upper(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value.strip().toUpperCase(Locale.ROOT);
    }

    /** Quarkus hands an unset {@code ${VAR:}} over as empty; blank counts as unset too. */
    private static Optional<String> present(Optional<String> value) {
        return value == null ? Optional.empty() : value.filter(v -> !v.isBlank());
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
