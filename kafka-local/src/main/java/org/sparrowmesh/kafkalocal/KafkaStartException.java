package org.sparrowmesh.kafkalocal;

/** The embedded broker could not start; the message says what and where. */
public final class KafkaStartException extends RuntimeException {
    public KafkaStartException(String message) {
        super(message);
    }

    public KafkaStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
