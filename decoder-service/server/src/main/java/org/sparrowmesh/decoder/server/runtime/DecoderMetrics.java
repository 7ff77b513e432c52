package org.sparrowmesh.decoder.server.runtime;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import org.sparrowmesh.decoder.engine.scheduler.Scheduler;
import org.sparrowmesh.decoder.engine.scheduler.StepObserver;

/**
 * The decoder's Prometheus metrics ({@code mesh_decoder_*}): queue depth, running sequences,
 * KV memory, rejections, generated tokens (rate() gives tokens/s), sequences per step, and
 * latency histograms (time to first token, time between a sequence's tokens, queue time).
 */
@ApplicationScoped
public class DecoderMetrics implements StepObserver {

    private final MeterRegistry registry;
    private final DistributionSummary batchSize;
    private final DistributionSummary prefillTokens;
    private final Timer interTokenLatency;
    private final Timer timeToFirstToken;
    private final Timer queueTime;

    public DecoderMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.batchSize = DistributionSummary.builder("mesh.decoder.batch.size")
                .description("Sequences decoded together in one forward step")
                .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64).register(registry);
        this.prefillTokens = DistributionSummary.builder("mesh.decoder.prefill.tokens")
                .description("Prompt tokens evaluated in one forward step").register(registry);
        this.interTokenLatency = Timer.builder("mesh.decoder.inter.token.latency")
                .description("Time of one forward step, i.e. between two tokens of every running sequence")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10)).register(registry);
        this.timeToFirstToken = Timer.builder("mesh.decoder.time.to.first.token")
                .description("From receiving a request to its first generated token (queue and prefill included)")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(60)).register(registry);
        this.queueTime = Timer.builder("mesh.decoder.queue.time")
                .description("Time a request waited before its prompt was evaluated").register(registry);
    }

    /** Gauges and counters read from the scheduler's stats. */
    void watch(Scheduler scheduler) {
        Gauge.builder("mesh.decoder.queue.depth", scheduler, s -> s.stats().queuedRequests())
                .description("Requests waiting to start").register(registry);
        Gauge.builder("mesh.decoder.running.sequences", scheduler, s -> s.stats().runningSequences())
                .description("Sequences admitted (prefilling or decoding)").register(registry);
        Gauge.builder("mesh.decoder.kv.reserved", scheduler, s -> s.stats().keyValueReservedBytes())
                .baseUnit("bytes").description("KV-cache memory reserved by running requests").register(registry);
        Gauge.builder("mesh.decoder.kv.budget", scheduler, s -> s.stats().keyValueBudgetBytes())
                .baseUnit("bytes").description("KV-cache memory budget").register(registry);
        FunctionCounter.builder("mesh.decoder.rejected.requests", scheduler, s -> s.stats().rejectedRequests())
                .description("Requests refused (queue full or beyond the KV budget)").register(registry);
        FunctionCounter.builder("mesh.decoder.generated.tokens", scheduler, s -> s.stats().generatedTokens())
                .description("Tokens generated over all samples").register(registry);
        FunctionCounter.builder("mesh.decoder.steps", scheduler, s -> s.stats().steps())
                .description("Forward steps run").register(registry);
    }

    @Override
    public void onStep(int sequences, int prefill, long nanos) {
        if (sequences > 0) {
            batchSize.record(sequences);
            interTokenLatency.record(nanos, TimeUnit.NANOSECONDS);
        }
        if (prefill > 0) {
            prefillTokens.record(prefill);
        }
    }

    public void recordRequest(long queueNanos, long timeToFirstTokenNanos) {
        queueTime.record(queueNanos, TimeUnit.NANOSECONDS);
        if (timeToFirstTokenNanos > 0) {
            timeToFirstToken.record(timeToFirstTokenNanos, TimeUnit.NANOSECONDS);
        }
    }
}
