package org.sparrowmesh.gateway.events;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.opentelemetry.api.OpenTelemetry;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;
import org.sparrowmesh.kafka.KafkaConnection;
import org.sparrowmesh.kafka.RecordTracing;

/**
 * What the gateway's Kafka clients (the event publisher, the batch answerer) share: one
 * {@link KafkaConnection} read from {@code mesh.kafka.*}, so a bad security setting fails the
 * start once with the key named, and one {@link RecordTracing} over the app's OpenTelemetry.
 */
@ApplicationScoped
public class KafkaClients {

    private static final Logger LOG = Logger.getLogger(KafkaClients.class);

    @Produces
    @Singleton
    KafkaConnection connection(Config config) {
        KafkaConnection connection = KafkaConnection.from(key -> config.getOptionalValue(key, String.class));
        LOG.infof("gateway clients use %s", connection);
        return connection;
    }

    @Produces
    @Singleton
    RecordTracing tracing(OpenTelemetry openTelemetry) {
        return new RecordTracing(openTelemetry);
    }
}
