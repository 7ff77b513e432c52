package org.sparrowmesh.gateway.turn;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import io.grpc.Status;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.mutiny.subscription.MultiEmitter;
import org.sparrowmesh.events.MeshTopic;
import org.sparrowmesh.proto.v1.AnswerChosen;
import org.sparrowmesh.proto.v1.Answer;
import org.sparrowmesh.proto.v1.Candidate;
import org.sparrowmesh.proto.v1.CandidateDelta;
import org.sparrowmesh.proto.v1.CandidateDone;
import org.sparrowmesh.proto.v1.CandidateFinished;
import org.sparrowmesh.proto.v1.CandidateOrigin;
import org.sparrowmesh.proto.v1.ChatMessage;
import org.sparrowmesh.proto.v1.ChatMessages;
import org.sparrowmesh.proto.v1.Evidence;
import org.sparrowmesh.proto.v1.EvidenceFound;
import org.sparrowmesh.proto.v1.FinishReason;
import org.sparrowmesh.proto.v1.GenerateEvent;
import org.sparrowmesh.proto.v1.GenerateRequest;
import org.sparrowmesh.proto.v1.RankRequest;
import org.sparrowmesh.proto.v1.RankResponse;
import org.sparrowmesh.proto.v1.Ranking;
import org.sparrowmesh.proto.v1.RankingDone;
import org.sparrowmesh.proto.v1.SamplingParameters;
import org.sparrowmesh.proto.v1.SearchRequest;
import org.sparrowmesh.proto.v1.SearchResponse;
import org.sparrowmesh.proto.v1.Snippet;
import org.sparrowmesh.proto.v1.Stage;
import org.sparrowmesh.proto.v1.StageState;
import org.sparrowmesh.proto.v1.StageStatus;
import org.sparrowmesh.proto.v1.Turn;
import org.sparrowmesh.proto.v1.TurnEvent;
import org.sparrowmesh.proto.v1.TurnRecorded;
import org.sparrowmesh.proto.v1.TurnStatus;

/**
 * One turn, from the user's words to the answer (DESIGN §1): search and the samples without
 * evidence start together; the samples with evidence start when the search is in; snippets join
 * as candidates; the ranker picks; the answer cites its evidence. Every event goes to the client
 * as it happens and to Kafka. A stage that fails degrades the turn (Status says how), it does not
 * fail it. Cancelling the turn cancels the decoder calls at once.
 */
final class TurnRun {

    private final TurnPipeline pipeline;
    private final Turn turn;
    private final ResolvedOptions options;
    private final String conversationId;
    private final String turnId;
    private final MultiEmitter<? super TurnEvent> emitter;
    private final long startNanos = System.nanoTime();
    private final long deadlineNanos;

    private long sequence;
    private final Map<Stage, StageStatus> stages = new EnumMap<>(Stage.class);
    private final Map<Integer, CandidateBuilder> candidates = new TreeMap<>();
    private final List<Cancellable> calls = new CopyOnWriteArrayList<>();
    private volatile boolean cancelled;
    private List<Snippet> evidence = List.of();
    private final List<ChatMessage> history;
    /** False for a turn outside any conversation (batch): the exchange is not remembered. */
    private final boolean remember;

    /** A candidate being put together from its decoder events. */
    private static final class CandidateBuilder {
        final int index;
        final CandidateOrigin origin;
        final StringBuilder text = new StringBuilder();
        final List<Integer> evidenceIndices = new ArrayList<>();
        Double meanLogProbability;
        int tokenCount;
        FinishReason finishReason = FinishReason.FINISH_REASON_UNSPECIFIED;
        boolean done;

        CandidateBuilder(int index, CandidateOrigin origin) {
            this.index = index;
            this.origin = origin;
        }

        Candidate build() {
            Candidate.Builder c = Candidate.newBuilder().setIndex(index).setText(text.toString()).setOrigin(origin)
                    .setTokenCount(tokenCount).addAllEvidenceIndices(evidenceIndices).setFinishReason(finishReason);
            if (meanLogProbability != null) {
                c.setMeanLogProbability(meanLogProbability);
            }
            return c.build();
        }
    }

    TurnRun(TurnPipeline pipeline, Turn turn, ResolvedOptions options, String conversationId, String turnId,
            List<ChatMessage> history, boolean remember, MultiEmitter<? super TurnEvent> emitter) {
        this.pipeline = pipeline;
        this.remember = remember;
        this.turn = turn;
        this.options = options;
        this.conversationId = conversationId;
        this.turnId = turnId;
        this.history = history;
        this.emitter = emitter;
        this.deadlineNanos = startNanos + options.deadline().toNanos();
        emitter.onTermination(this::cancel);
    }

    void start() {
        publish(MeshTopic.TURNS, TurnRecorded.newBuilder().setConversationId(conversationId).setTurnId(turnId)
                .setOccurredAt(now()).setText(turn.getText()).setOptions(turn.getOptions()).build());
        Uni<Void> plain = generate(Stage.STAGE_DECODE, options.samplesWithoutEvidence(), 0, List.of());
        Uni<Void> withEvidence = search().onItem().transformToUni(found -> {
            evidence = found;
            int offset = options.samplesWithoutEvidence();
            // with no evidence found these samples are sampled without it and count as such
            return generate(Stage.STAGE_DECODE_WITH_EVIDENCE, options.samplesWithEvidence(), offset, found);
        });
        Uni.combine().all().unis(plain, withEvidence).discardItems()
                .ifNoItem().after(remaining()).recoverWithUni(() -> {
                    cancelCalls("the turn's deadline passed");
                    return Uni.createFrom().voidItem();
                })
                .onItem().transformToUni(ignored -> rankAndAnswer())
                .subscribe().with(ignored -> finish(), this::fail);
    }

    // ------------------------------------------------------------------ search

    private Uni<List<Snippet>> search() {
        if (options.searchResultCount() == 0) {
            stage(Stage.STAGE_SEARCH, StageState.STAGE_STATE_SKIPPED, "search_result_count is 0", 0);
            return Uni.createFrom().item(List.of());
        }
        long start = System.nanoTime();
        SearchRequest request = SearchRequest.newBuilder().setQuery(turn.getText())
                .setResultCount(options.searchResultCount()).setMode(options.searchMode()).build();
        return pipeline.retrieval().search(request)
                .ifNoItem().after(min(pipeline.settings().searchTimeout(), remaining()))
                .failWith(() -> new java.util.concurrent.TimeoutException("no answer within the search deadline"))
                .onItem().transform(response -> {
                    boolean degraded = !response.getDegradedReason().isEmpty();
                    stage(Stage.STAGE_SEARCH, degraded ? StageState.STAGE_STATE_DEGRADED : StageState.STAGE_STATE_OK,
                            degraded ? "retrieval: " + response.getDegradedReason() : "", System.nanoTime() - start);
                    emitEvidence(response);
                    return response.getSnippetsList();
                })
                .onFailure().recoverWithItem(failure -> {
                    stage(Stage.STAGE_SEARCH, StageState.STAGE_STATE_FAILED, "retrieval: " + describe(failure),
                            System.nanoTime() - start);
                    return List.of();
                });
    }

    private void emitEvidence(SearchResponse response) {
        Evidence found = Evidence.newBuilder().setQuery(turn.getText()).setMode(response.getEffectiveMode())
                .addAllSnippets(response.getSnippetsList()).setTotalHits(response.getTotalHits()).build();
        emit(TurnEvent.newBuilder().setEvidence(found));
        publish(MeshTopic.EVIDENCE, EvidenceFound.newBuilder().setConversationId(conversationId).setTurnId(turnId)
                .setOccurredAt(now()).setEvidence(found).build());
    }

    // ------------------------------------------------------------------ generation

    /** One Generate call of {@code samples} samples; completes (never fails) when the stream ends. */
    private Uni<Void> generate(Stage stage, int samples, int offset, List<Snippet> snippets) {
        if (samples == 0) {
            stage(stage, StageState.STAGE_STATE_SKIPPED, "no samples asked for", 0);
            return Uni.createFrom().voidItem();
        }
        CandidateOrigin origin = snippets.isEmpty() ? CandidateOrigin.CANDIDATE_ORIGIN_GENERATED
                : CandidateOrigin.CANDIDATE_ORIGIN_GENERATED_WITH_EVIDENCE;
        synchronized (this) {
            for (int i = 0; i < samples; i++) {
                CandidateBuilder c = new CandidateBuilder(offset + i, origin);
                for (int e = 0; e < snippets.size(); e++) {
                    c.evidenceIndices.add(e);
                }
                candidates.put(offset + i, c);
            }
        }
        long remainingMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
        GenerateRequest request = GenerateRequest.newBuilder().setRequestId(turnId + "/" + stage.name().toLowerCase())
                .setMessages(ChatMessages.newBuilder().addAllMessages(PromptBuilder.messages(
                        pipeline.settings().systemPrompt(), history, turn.getText(), snippets)))
                .setSampleCount(samples).setMaxTokens(options.maxTokens())
                .setSampling(SamplingParameters.newBuilder().setTemperature(options.temperature())
                        .setSeed(options.seed() + offset))
                .setDeadline(com.google.protobuf.Duration.newBuilder().setSeconds(remainingMillis / 1000)
                        .setNanos((int) (remainingMillis % 1000) * 1_000_000))
                .build();
        long start = System.nanoTime();
        CompletableFuture<Void> ended = new CompletableFuture<>();
        Cancellable call = pipeline.decoder().generate(request).subscribe().with(
                event -> onGenerateEvent(event, offset),
                failure -> {
                    stage(stage, StageState.STAGE_STATE_FAILED, "decoder: " + describe(failure), System.nanoTime() - start);
                    dropUnfinished(offset, samples);
                    ended.complete(null);
                },
                () -> {
                    boolean partial = hasUnfinished(offset, samples) || cancelled;
                    stage(stage, partial ? StageState.STAGE_STATE_DEGRADED : StageState.STAGE_STATE_OK,
                            partial ? "some samples did not finish" : "", System.nanoTime() - start);
                    dropUnfinished(offset, samples);
                    ended.complete(null);
                });
        calls.add(call);
        return Uni.createFrom().completionStage(ended);
    }

    private void onGenerateEvent(GenerateEvent event, int offset) {
        if (event.hasTokenDelta()) {
            var delta = event.getTokenDelta();
            CandidateBuilder c;
            synchronized (this) {
                c = candidates.get(offset + delta.getSampleIndex());
                if (c == null) {
                    return;
                }
                c.text.append(delta.getText());
            }
            if (options.streamDeltas() && !delta.getText().isEmpty()) {
                emit(TurnEvent.newBuilder().setCandidateDelta(CandidateDelta.newBuilder()
                        .setCandidateIndex(c.index).setText(delta.getText()).setOrigin(c.origin)));
            }
        } else if (event.hasSampleDone()) {
            var done = event.getSampleDone();
            Candidate candidate;
            synchronized (this) {
                CandidateBuilder c = candidates.get(offset + done.getSampleIndex());
                if (c == null) {
                    return;
                }
                c.text.setLength(0);
                c.text.append(done.getText());
                c.tokenCount = done.getTokenCount();
                c.meanLogProbability = done.getMeanLogProbability();
                c.finishReason = done.getFinishReason();
                c.done = true;
                candidate = c.build();
            }
            emitCandidate(candidate);
        }
    }

    private void emitCandidate(Candidate candidate) {
        emit(TurnEvent.newBuilder().setCandidateDone(CandidateDone.newBuilder().setCandidate(candidate)));
        publish(MeshTopic.CANDIDATES, CandidateFinished.newBuilder().setConversationId(conversationId).setTurnId(turnId)
                .setOccurredAt(now()).setCandidate(candidate).build());
    }

    private synchronized boolean hasUnfinished(int offset, int samples) {
        for (int i = offset; i < offset + samples; i++) {
            if (!candidates.get(i).done) {
                return true;
            }
        }
        return false;
    }

    /** Samples that never finished (failed or cancelled calls) are not candidates. */
    private synchronized void dropUnfinished(int offset, int samples) {
        for (int i = offset; i < offset + samples; i++) {
            if (!candidates.get(i).done) {
                candidates.remove(i);
            }
        }
    }

    // ------------------------------------------------------------------ ranking and answer

    private Uni<Void> rankAndAnswer() {
        List<Candidate> all = new ArrayList<>();
        synchronized (this) {
            candidates.values().stream().filter(c -> c.done).map(CandidateBuilder::build).forEach(all::add);
        }
        int next = options.samplesWithoutEvidence() + options.samplesWithEvidence();
        for (int s = 0; s < Math.min(options.snippetCandidates(), evidence.size()); s++) {
            Candidate snippet = Candidate.newBuilder().setIndex(next + s).setText(evidence.get(s).getText())
                    .setOrigin(CandidateOrigin.CANDIDATE_ORIGIN_SEARCH_SNIPPET).addEvidenceIndices(s).build();
            all.add(snippet);
            emitCandidate(snippet);
        }
        if (all.isEmpty()) {
            stage(Stage.STAGE_RANK, StageState.STAGE_STATE_SKIPPED, "no candidate to rank", 0);
            return Uni.createFrom().voidItem();
        }
        if (all.size() == 1) {
            stage(Stage.STAGE_RANK, StageState.STAGE_STATE_SKIPPED, "one candidate needs no ranking", 0);
            answer(all.get(0), 0, org.sparrowmesh.proto.v1.ScorerKind.SCORER_KIND_UNSPECIFIED);
            return Uni.createFrom().voidItem();
        }
        long start = System.nanoTime();
        RankRequest request = RankRequest.newBuilder().setQuestion(turn.getText()).addAllHistory(history)
                .addAllEvidence(evidence).addAllCandidates(all).build();
        return pipeline.ranker().rank(request)
                .ifNoItem().after(min(pipeline.settings().rankTimeout(), remaining().plusSeconds(2)))
                .failWith(() -> new java.util.concurrent.TimeoutException("no answer within the rank deadline"))
                .onItem().invoke(response -> {
                    stage(Stage.STAGE_RANK, response.getLexicalOnly() ? StageState.STAGE_STATE_DEGRADED : StageState.STAGE_STATE_OK,
                            response.getLexicalOnly() ? "ranker: " + response.getDegradedReason() : "", System.nanoTime() - start);
                    rankingAndAnswer(all, response);
                })
                .onFailure().recoverWithItem(failure -> {
                    stage(Stage.STAGE_RANK, StageState.STAGE_STATE_FAILED, "ranker: " + describe(failure)
                            + "; fallback ordering by log-probability and evidence overlap", System.nanoTime() - start);
                    rankingAndAnswer(all, FallbackRanking.rank(turn.getText(), evidence, all));
                    return null;
                })
                .replaceWithVoid();
    }

    private void rankingAndAnswer(List<Candidate> all, RankResponse response) {
        Ranking ranking = Ranking.newBuilder().addAllScores(response.getScoresList())
                .setBestCandidateIndex(response.getBestCandidateIndex()).setScorerKind(response.getScorerKind())
                .setScorerName(response.getScorerName()).setScorerVersion(response.getScorerVersion()).build();
        emit(TurnEvent.newBuilder().setRanking(ranking));
        publish(MeshTopic.RANKINGS, RankingDone.newBuilder().setConversationId(conversationId).setTurnId(turnId)
                .setOccurredAt(now()).setRanking(ranking).build());
        Candidate best = all.stream().filter(c -> c.getIndex() == response.getBestCandidateIndex()).findFirst()
                .orElse(all.get(0));
        double reward = response.getScoresList().stream().filter(s -> s.getCandidateIndex() == best.getIndex())
                .mapToDouble(s -> s.getReward()).findFirst().orElse(0);
        answer(best, reward, response.getScorerKind());
    }

    private Answer answer;

    private void answer(Candidate best, double reward, org.sparrowmesh.proto.v1.ScorerKind kind) {
        answer = Answer.newBuilder().setText(best.getText()).setCandidateIndex(best.getIndex()).setOrigin(best.getOrigin())
                .addAllCitedSnippets(PromptBuilder.cited(best, evidence)).setReward(reward).setScorerKind(kind).build();
        emit(TurnEvent.newBuilder().setAnswer(answer));
        if (remember) {
            pipeline.memory().remember(conversationId, turn.getText(), best.getText());
        }
    }

    private void finish() {
        stage(Stage.STAGE_PUBLISH, pipeline.publisherHealthy() ? StageState.STAGE_STATE_OK : StageState.STAGE_STATE_DEGRADED,
                pipeline.publisherHealthy() ? "" : "kafka: events are being dropped (see mesh_events_lost_total)", 0);
        TurnStatus status = status();
        if (answer != null) {
            publish(MeshTopic.ANSWERS, AnswerChosen.newBuilder().setConversationId(conversationId).setTurnId(turnId)
                    .setOccurredAt(now()).setQuestion(turn.getText()).setAnswer(answer).setStatus(status).build());
        }
        emit(TurnEvent.newBuilder().setStatus(status));
        emitter.complete();
    }

    private void fail(Throwable failure) {
        // a bug in the pipeline itself: the client gets a status, not a hanging stream
        emitter.fail(failure);
    }

    private synchronized TurnStatus status() {
        StageState overall = answer == null ? StageState.STAGE_STATE_FAILED : StageState.STAGE_STATE_OK;
        for (StageStatus s : stages.values()) {
            if (answer != null && (s.getState() == StageState.STAGE_STATE_DEGRADED || s.getState() == StageState.STAGE_STATE_FAILED)) {
                overall = StageState.STAGE_STATE_DEGRADED;
            }
        }
        return TurnStatus.newBuilder().addAllStages(stages.values()).setOverallState(overall)
                .setTotalDuration(duration(System.nanoTime() - startNanos)).build();
    }

    // ------------------------------------------------------------------ plumbing

    private synchronized void stage(Stage stage, StageState state, String reason, long nanos) {
        stages.put(stage, StageStatus.newBuilder().setStage(stage).setState(state).setReason(reason)
                .setDuration(duration(nanos)).build());
    }

    private synchronized void emit(TurnEvent.Builder event) {
        if (cancelled) {
            return;
        }
        emitter.emit(event.setConversationId(conversationId).setTurnId(turnId).setSequenceNumber(++sequence).build());
    }

    private void publish(MeshTopic topic, Message message) {
        // asynchronous and bounded: a Kafka outage costs events (counted), never the answer
        pipeline.publisher().publish(topic, conversationId, message);
    }

    private void cancel() {
        if (!cancelled) {
            cancelled = true;
            cancelCalls("the client cancelled the turn");
        }
    }

    private void cancelCalls(String why) {
        for (Cancellable call : calls) {
            call.cancel();
        }
        synchronized (this) {
            for (Stage stage : List.of(Stage.STAGE_DECODE, Stage.STAGE_DECODE_WITH_EVIDENCE)) {
                stages.putIfAbsent(stage, StageStatus.newBuilder().setStage(stage).setState(StageState.STAGE_STATE_DEGRADED)
                        .setReason("decoder: " + why).build());
            }
        }
    }

    private Duration remaining() {
        return Duration.ofNanos(Math.max(1_000_000, deadlineNanos - System.nanoTime()));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    static String describe(Throwable failure) {
        if (failure instanceof io.grpc.StatusRuntimeException e) {
            Status s = e.getStatus();
            return s.getCode() + (s.getDescription() == null ? "" : " " + s.getDescription());
        }
        if (failure instanceof io.grpc.StatusException e) {
            Status s = e.getStatus();
            return s.getCode() + (s.getDescription() == null ? "" : " " + s.getDescription());
        }
        return failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
    }

    private static Timestamp now() {
        Instant now = Instant.now();
        return Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()).build();
    }

    static com.google.protobuf.Duration duration(long nanos) {
        return com.google.protobuf.Duration.newBuilder().setSeconds(nanos / 1_000_000_000L)
                .setNanos((int) (nanos % 1_000_000_000L)).build();
    }
}
