package org.sparrowmesh.ranker.server.grpc;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import org.sparrowmesh.proto.v1.Candidate;
import org.sparrowmesh.proto.v1.EmbedRequest;
import org.sparrowmesh.proto.v1.EmbedResponse;
import org.sparrowmesh.proto.v1.EncoderGrpc;
import org.sparrowmesh.proto.v1.RankRequest;
import org.sparrowmesh.proto.v1.RankResponse;
import org.sparrowmesh.proto.v1.Ranker;
import org.sparrowmesh.proto.v1.RuleViolation;
import org.sparrowmesh.proto.v1.ScorerKind;
import org.sparrowmesh.proto.v1.Snippet;
import org.sparrowmesh.ranker.feature.EmbeddedTexts;
import org.sparrowmesh.ranker.rules.Violation;
import org.sparrowmesh.ranker.scoring.CandidateInput;
import org.sparrowmesh.ranker.scoring.CandidateScore;
import org.sparrowmesh.ranker.scoring.Origin;
import org.sparrowmesh.ranker.scoring.RankInput;
import org.sparrowmesh.ranker.scoring.RankOutcome;
import org.sparrowmesh.ranker.server.runtime.RankerConfig;
import org.sparrowmesh.ranker.server.runtime.RankerRuntime;

/**
 * {@code sparrowmesh.v1.Ranker}: checks the request, fetches every text's embedding in one
 * batched Embed call (lexical features only when the encoder is down, flagged), scores.
 */
@GrpcService
public class RankerGrpcService implements Ranker {

    static final int MAX_QUESTION = 8_000;
    static final int MAX_CANDIDATES = 64;
    static final int MAX_EVIDENCE = 100;
    static final int MAX_HISTORY = 64;
    /** A documented cap: longer texts are refused rather than scored by their start. */
    static final int MAX_TEXT = 100_000;
    /** Texts are embedded by their first characters: the encoder reads 256 tokens anyway. */
    static final int EMBED_CHARACTERS = 2_000;

    private final RankerRuntime runtime;
    private final EncoderGrpc.EncoderBlockingStub encoder;
    private final RankerConfig config;

    public RankerGrpcService(RankerRuntime runtime, @GrpcClient("encoder") EncoderGrpc.EncoderBlockingStub encoder,
            RankerConfig config) {
        this.runtime = runtime;
        this.encoder = encoder;
        this.config = config;
    }

    @Override
    @Blocking
    public Uni<RankResponse> rank(RankRequest request) {
        return Uni.createFrom().item(() -> {
            RankInput input = toInput(request);
            EmbeddedTexts embedded = null;
            String degraded = "";
            try {
                embedded = embed(input);
            } catch (StatusRuntimeException e) {
                degraded = "encoder unavailable: " + e.getStatus().getCode()
                        + (e.getStatus().getDescription() == null ? "" : " " + e.getStatus().getDescription());
            }
            RankOutcome outcome = runtime.ranker().rank(input, embedded);
            RankResponse.Builder response = RankResponse.newBuilder().setBestCandidateIndex(outcome.bestIndex())
                    .setScorerKind(ScorerKind.SCORER_KIND_LEARNED_MODEL).setScorerName(runtime.ranker().model().name())
                    .setScorerVersion(runtime.ranker().model().version()).setLexicalOnly(embedded == null)
                    .setDegradedReason(degraded);
            for (CandidateScore score : outcome.scores()) {
                var s = org.sparrowmesh.proto.v1.CandidateScore.newBuilder().setCandidateIndex(score.index())
                        .setReward(score.reward()).putAllFeatures(score.features());
                for (Violation v : score.violations()) {
                    s.addRuleViolations(RuleViolation.newBuilder().setRule(v.rule()).setDescription(v.description())
                            .setPenalty(v.penalty()).setDisqualifying(v.disqualifying()));
                }
                response.addScores(s);
            }
            return response.build();
        });
    }

    static RankInput toInput(RankRequest request) {
        require(!request.getQuestion().isBlank(), "question must not be empty");
        require(request.getQuestion().length() <= MAX_QUESTION, "question must be at most " + MAX_QUESTION + " characters");
        require(request.getCandidatesCount() >= 1, "candidates: at least one candidate is needed");
        require(request.getCandidatesCount() <= MAX_CANDIDATES,
                "candidates: at most " + MAX_CANDIDATES + " per call, got " + request.getCandidatesCount());
        require(request.getEvidenceCount() <= MAX_EVIDENCE, "evidence: at most " + MAX_EVIDENCE + " snippets");
        require(request.getHistoryCount() <= MAX_HISTORY, "history: at most " + MAX_HISTORY + " messages");
        List<String> evidence = new ArrayList<>();
        for (int i = 0; i < request.getEvidenceCount(); i++) {
            Snippet snippet = request.getEvidence(i);
            require(snippet.getText().length() <= MAX_TEXT, "evidence[" + i + "].text must be at most " + MAX_TEXT + " characters");
            evidence.add(snippet.getText());
        }
        Set<Integer> indices = new HashSet<>();
        List<CandidateInput> candidates = new ArrayList<>();
        for (int i = 0; i < request.getCandidatesCount(); i++) {
            Candidate c = request.getCandidates(i);
            require(indices.add(c.getIndex()), "candidates[" + i + "].index " + c.getIndex() + " is used twice");
            require(c.getText().length() <= MAX_TEXT, "candidates[" + i + "].text must be at most " + MAX_TEXT
                    + " characters, got " + c.getText().length());
            for (int e : c.getEvidenceIndicesList()) {
                require(e >= 0 && e < request.getEvidenceCount(), "candidates[" + i + "].evidence_indices: " + e
                        + " is outside the " + request.getEvidenceCount() + " evidence snippets");
            }
            Origin origin = switch (c.getOrigin()) {
                case CANDIDATE_ORIGIN_GENERATED_WITH_EVIDENCE -> Origin.GENERATED_WITH_EVIDENCE;
                case CANDIDATE_ORIGIN_SEARCH_SNIPPET -> Origin.SEARCH_SNIPPET;
                default -> Origin.GENERATED;
            };
            candidates.add(new CandidateInput(c.getIndex(), c.getText(), origin,
                    c.hasMeanLogProbability() ? c.getMeanLogProbability() : null));
        }
        return new RankInput(request.getQuestion(), evidence, candidates);
    }

    /** One Embed call for the question, every candidate and every snippet. */
    private EmbeddedTexts embed(RankInput input) {
        List<String> texts = new ArrayList<>();
        texts.add(clip(input.question()));
        input.candidates().forEach(c -> texts.add(clip(c.text().isBlank() ? "(empty)" : c.text())));
        input.evidence().forEach(e -> texts.add(clip(e.isBlank() ? "(empty)" : e)));
        EmbedResponse response = encoder.withDeadlineAfter(config.encoderTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .embed(EmbedRequest.newBuilder().addAllTexts(texts).setNormalize(true).build());
        List<float[]> vectors = new ArrayList<>();
        response.getEmbeddingsList().forEach(e -> {
            float[] v = new float[e.getValuesCount()];
            for (int i = 0; i < v.length; i++) {
                v[i] = e.getValues(i);
            }
            vectors.add(v);
        });
        int c = input.candidates().size();
        return new EmbeddedTexts(vectors.get(0), vectors.subList(1, 1 + c), vectors.subList(1 + c, vectors.size()));
    }

    private static String clip(String text) {
        return text.length() <= EMBED_CHARACTERS ? text : text.substring(0, EMBED_CHARACTERS);
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
