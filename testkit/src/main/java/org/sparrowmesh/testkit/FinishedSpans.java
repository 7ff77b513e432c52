package org.sparrowmesh.testkit;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;

/**
 * The spans an app under test has finished, for tests that turn its OpenTelemetry SDK on and give
 * Quarkus an {@link InMemorySpanExporter} bean. Spans end on the app's own threads (a producer's
 * callback, a consumer loop) and reach the exporter in batches, so {@link #await} flushes the SDK
 * and looks again until the wanted span is there or the time is up.
 */
public final class FinishedSpans {

    private final InMemorySpanExporter exporter;
    private final OpenTelemetrySdk sdk;

    /** {@code openTelemetry} is the app's (its SDK, as Quarkus injects it). */
    public FinishedSpans(InMemorySpanExporter exporter, OpenTelemetry openTelemetry) {
        this.exporter = exporter;
        this.sdk = (OpenTelemetrySdk) openTelemetry;
    }

    /** The first finished span that matches; fails listing every finished span when none does within {@code timeout}. */
    public SpanData await(Predicate<SpanData> wanted, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            sdk.getSdkTracerProvider().forceFlush().join(10, TimeUnit.SECONDS);
            Optional<SpanData> found = exporter.getFinishedSpanItems().stream().filter(wanted).findFirst();
            if (found.isPresent()) {
                return found.get();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no such span within " + timeout + " among " + exporter.getFinishedSpanItems().stream()
                        .map(s -> s.getKind() + " " + s.getName() + " " + s.getTraceId() + "/" + s.getParentSpanId()).toList());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // poll the app's threads' progress, do not spin
        }
    }
}
