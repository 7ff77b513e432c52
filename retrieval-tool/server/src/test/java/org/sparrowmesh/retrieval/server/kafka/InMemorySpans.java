package org.sparrowmesh.retrieval.server.kafka;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;

/**
 * The app's finished spans, kept in memory for the tests that turn the SDK on: quarkus-opentelemetry
 * exports to every SpanExporter bean (as Quarkus's own OpenTelemetry tests do). Unused while the
 * SDK is off, as it is in every other test.
 */
@ApplicationScoped
public class InMemorySpans {

    @Produces
    @Singleton
    InMemorySpanExporter exporter() {
        return InMemorySpanExporter.create();
    }
}
