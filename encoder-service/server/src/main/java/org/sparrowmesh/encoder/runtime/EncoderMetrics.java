package org.sparrowmesh.encoder.runtime;

import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.sparrowmesh.encoder.batching.BatchListener;
import org.sparrowmesh.encoder.batching.BatchReport;

/**
 * The micro-batcher's meters (Prometheus names at {@code /q/metrics}):
 * <ul>
 * <li>{@code mesh_encoder_batch_texts} — texts per model call (histogram);</li>
 * <li>{@code mesh_encoder_batch_requests} — requests merged into one model call (histogram);</li>
 * <li>{@code mesh_encoder_queue_seconds} — how long each text waited for its batch;</li>
 * <li>{@code mesh_encoder_batch_seconds} — how long each model call took;</li>
 * <li>{@code mesh_encoder_texts_total} — texts embedded (its rate is texts/s);</li>
 * <li>{@code mesh_encoder_batch_failures_total} — model calls that failed.</li>
 * </ul>
 */
public final class EncoderMetrics implements BatchListener {

    private static final double[] SIZES = {1, 2, 4, 8, 16, 32, 64, 128, 256};

    private final DistributionSummary batchTexts;
    private final DistributionSummary batchRequests;
    private final Timer queueTime;
    private final Timer batchTime;
    private final Counter texts;
    private final Counter failures;

    public EncoderMetrics(MeterRegistry registry) {
        batchTexts = DistributionSummary.builder("mesh.encoder.batch.texts")
                .description("Texts per model call").baseUnit("texts").serviceLevelObjectives(SIZES).register(registry);
        batchRequests = DistributionSummary.builder("mesh.encoder.batch.requests")
                .description("Requests merged into one model call").baseUnit("requests").serviceLevelObjectives(SIZES)
                .register(registry);
        queueTime = Timer.builder("mesh.encoder.queue").description("Time a text waited for its batch")
                .publishPercentileHistogram().register(registry);
        batchTime = Timer.builder("mesh.encoder.batch").description("Time of one model call")
                .publishPercentileHistogram().register(registry);
        texts = Counter.builder("mesh.encoder.texts").description("Texts embedded").register(registry);
        failures = Counter.builder("mesh.encoder.batch.failures").description("Model calls that failed")
                .register(registry);
    }

    @Override
    public void onBatch(BatchReport report) {
        batchTexts.record(report.items());
        batchRequests.record(report.requests());
        for (long nanos : report.queueNanos()) {
            queueTime.record(nanos, TimeUnit.NANOSECONDS);
        }
        batchTime.record(report.runNanos(), TimeUnit.NANOSECONDS);
        if (report.failed()) {
            failures.increment();
        } else {
            texts.increment(report.items());
        }
    }
}
