package org.sparrowmesh.decoder.server.grpc;

import com.google.protobuf.Duration;
import io.smallrye.mutiny.subscription.MultiEmitter;
import org.sparrowmesh.decoder.engine.generation.FinishReason;
import org.sparrowmesh.decoder.engine.sampling.SampledToken;
import org.sparrowmesh.decoder.engine.sampling.TokenAlternative;
import org.sparrowmesh.decoder.engine.scheduler.GenerationListener;
import org.sparrowmesh.decoder.engine.scheduler.RequestUsage;
import org.sparrowmesh.decoder.engine.scheduler.SampleOutcome;
import org.sparrowmesh.decoder.engine.scheduler.TokenEvent;
import org.sparrowmesh.decoder.engine.tokenizer.Tokenizer;
import org.sparrowmesh.decoder.engine.tokenizer.Vocabulary;
import org.sparrowmesh.decoder.server.runtime.DecoderMetrics;
import org.sparrowmesh.proto.v1.GenerateEvent;
import org.sparrowmesh.proto.v1.SampleDone;
import org.sparrowmesh.proto.v1.TokenDelta;
import org.sparrowmesh.proto.v1.TokenLogProbability;
import org.sparrowmesh.proto.v1.Usage;

/** Turns one scheduler job's events into the GenerateEvent stream of its gRPC call. */
final class GenerateEventStream implements GenerationListener {

    private final MultiEmitter<? super GenerateEvent> emitter;
    private final Tokenizer tokenizer;
    private final DecoderMetrics metrics;

    GenerateEventStream(MultiEmitter<? super GenerateEvent> emitter, Tokenizer tokenizer, DecoderMetrics metrics) {
        this.emitter = emitter;
        this.tokenizer = tokenizer;
        this.metrics = metrics;
    }

    @Override
    public void onToken(TokenEvent event) {
        TokenDelta.Builder delta = TokenDelta.newBuilder().setSampleIndex(event.sampleIndex()).setText(event.text());
        if (event.tokenId() != Vocabulary.NO_TOKEN) {
            delta.addTokenIds(event.tokenId());
            SampledToken sampled = event.sampled();
            if (sampled != null) {
                TokenLogProbability.Builder lp = TokenLogProbability.newBuilder().setTokenId(sampled.id())
                        .setPiece(tokenizer.tokenText(sampled.id())).setLogProbability(sampled.logProbability());
                for (TokenAlternative alternative : sampled.topAlternatives()) {
                    lp.addTopAlternatives(org.sparrowmesh.proto.v1.TokenAlternative.newBuilder()
                            .setTokenId(alternative.id()).setPiece(tokenizer.tokenText(alternative.id()))
                            .setLogProbability(alternative.logProbability()));
                }
                delta.addLogProbabilities(lp);
            }
        }
        emitter.emit(GenerateEvent.newBuilder().setTokenDelta(delta).build());
    }

    @Override
    public void onSampleDone(SampleOutcome outcome) {
        emitter.emit(GenerateEvent.newBuilder().setSampleDone(SampleDone.newBuilder()
                .setSampleIndex(outcome.sampleIndex()).setFinishReason(finishReason(outcome.finishReason()))
                .setText(outcome.text()).setTokenCount(outcome.tokenCount())
                .setMeanLogProbability(outcome.meanLogProbability())
                .setMatchedStopString(outcome.matchedStopString()).setErrorMessage(outcome.errorMessage())).build());
    }

    @Override
    public void onFinished(RequestUsage usage) {
        metrics.recordRequest(usage.queueNanos(), usage.timeToFirstTokenNanos());
        emitter.emit(GenerateEvent.newBuilder().setUsage(Usage.newBuilder()
                .setPromptTokens(usage.promptTokens()).setGeneratedTokens(usage.generatedTokens())
                .setQueueTime(duration(usage.queueNanos()))
                .setPrefillTime(duration(usage.prefillNanos()))
                .setTimeToFirstToken(duration(usage.timeToFirstTokenNanos()))
                .setTotalTime(duration(usage.totalNanos()))
                .setDecodeTokensPerSecond(usage.decodeTokensPerSecond()).setSeed(usage.seed())).build());
        emitter.complete();
    }

    @Override
    public void onFailed(Throwable failure) {
        emitter.fail(failure);
    }

    private static Duration duration(long nanos) {
        long clamped = Math.max(0, nanos);
        return Duration.newBuilder().setSeconds(clamped / 1_000_000_000L).setNanos((int) (clamped % 1_000_000_000L)).build();
    }

    static org.sparrowmesh.proto.v1.FinishReason finishReason(FinishReason reason) {
        return switch (reason) {
            case END_OF_GENERATION -> org.sparrowmesh.proto.v1.FinishReason.FINISH_REASON_EOS;
            case LENGTH, CONTEXT_FULL -> org.sparrowmesh.proto.v1.FinishReason.FINISH_REASON_LENGTH;
            case STOP_STRING -> org.sparrowmesh.proto.v1.FinishReason.FINISH_REASON_STOP_STRING;
            case DEADLINE -> org.sparrowmesh.proto.v1.FinishReason.FINISH_REASON_DEADLINE;
            case CANCELLED -> org.sparrowmesh.proto.v1.FinishReason.FINISH_REASON_CANCELLED;
            case ERROR -> org.sparrowmesh.proto.v1.FinishReason.FINISH_REASON_ERROR;
        };
    }
}
