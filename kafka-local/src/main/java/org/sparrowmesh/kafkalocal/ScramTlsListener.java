package org.sparrowmesh.kafkalocal;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An extra client listener {@code SASL_SSL://127.0.0.1:port} that authenticates with SCRAM-SHA-512,
 * as Strimzi's TLS listener with {@code authentication: scram-sha-512} does: TLS with the key store
 * of {@code tls}, and one SCRAM user, written into the cluster metadata when the data folder is
 * formatted (so it is known before the broker serves its first client). The PLAINTEXT listener stays
 * for the controller, the broker itself and the topic creation.
 *
 * @param port     the SASL_SSL port
 * @param tls      the broker's key store; clients trust {@code tls.truststore()}
 * @param username the SCRAM user (letters, digits, {@code . _ -})
 * @param password its password (the same characters)
 */
public record ScramTlsListener(int port, TlsStores tls, String username, String password) {

    public static final String MECHANISM = "SCRAM-SHA-512";

    /** What the storage tool's {@code --add-scram} parser reads without quoting. */
    private static final Pattern PLAIN_WORD = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    public ScramTlsListener {
        Objects.requireNonNull(tls, "tls");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("SASL_SSL port must be within [1, 65535], got " + port);
        }
        if (username == null || !PLAIN_WORD.matcher(username).matches()) {
            throw new IllegalArgumentException("SCRAM username must be 1 to 64 of A-Z a-z 0-9 . _ -, got '" + username + "'");
        }
        if (password == null || !PLAIN_WORD.matcher(password).matches()) {
            throw new IllegalArgumentException("SCRAM password must be 1 to 64 of A-Z a-z 0-9 . _ -");
        }
    }

    /** The listener on a port free right now, for tests. */
    public static ScramTlsListener onFreePort(TlsStores tls, String username, String password) {
        return new ScramTlsListener(BrokerSettings.freePort(), tls, username, password);
    }

    /** {@code 127.0.0.1:port}, what clients of this listener pass as {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** The {@code --add-scram} argument of {@code kafka-storage format}. */
    String scramCredential() {
        return MECHANISM + "=[name=" + username + ",password=" + password + "]";
    }

    /** Everything but the password. */
    @Override
    public String toString() {
        return "ScramTlsListener[port=" + port + ", tls=" + tls + ", username=" + username + "]";
    }
}
