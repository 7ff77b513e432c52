package org.sparrowmesh.ranker.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.quarkus.test.junit.QuarkusTest;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sparrowmesh.proto.v1.Candidate;
import org.sparrowmesh.proto.v1.CandidateOrigin;
import org.sparrowmesh.proto.v1.RankRequest;
import org.sparrowmesh.proto.v1.RankResponse;
import org.sparrowmesh.proto.v1.RankerGrpc;
import org.sparrowmesh.proto.v1.ScorerKind;
import org.sparrowmesh.proto.v1.Snippet;

/** Rank over a real channel; no encoder runs in this test (port 1), so the ranking is lexical-only and says so. */
@QuarkusTest
class RankerGrpcTest {

    private ManagedChannel channel;
    private RankerGrpc.RankerBlockingStub ranker;

    @BeforeEach
    void open() {
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        ranker = RankerGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private static Candidate candidate(int index, String text, CandidateOrigin origin) {
        return Candidate.newBuilder().setIndex(index).setText(text).setOrigin(origin).build();
    }

    private static RankRequest.Builder request() {
        return RankRequest.newBuilder().setQuestion("Who introduced LaMDA?")
                .addEvidence(Snippet.newBuilder().setText("LaMDA is a family of dialogue models introduced by Google in 2021."));
    }

    @Test
    void scoresEveryCandidateNamesTheBestAndSaysItScoredLexicallyWithoutAnEncoder() {
        RankResponse response = ranker.rank(request()
                .addCandidates(candidate(10, "I am a human, it was Facebook in 2015.", CandidateOrigin.CANDIDATE_ORIGIN_GENERATED))
                .addCandidates(candidate(11, "Google introduced LaMDA in 2021.", CandidateOrigin.CANDIDATE_ORIGIN_GENERATED_WITH_EVIDENCE))
                .addCandidates(candidate(12, "", CandidateOrigin.CANDIDATE_ORIGIN_GENERATED)).build());
        assertThat(response.getScoresCount()).isEqualTo(3);
        assertThat(response.getBestCandidateIndex()).isEqualTo(11);
        assertThat(response.getScorerKind()).isEqualTo(ScorerKind.SCORER_KIND_LEARNED_MODEL);
        assertThat(response.getScorerVersion()).startsWith("sha256:");
        assertThat(response.getLexicalOnly()).isTrue();
        assertThat(response.getDegradedReason()).contains("encoder unavailable");
        assertThat(response.getScores(0).getRuleViolationsList()).extracting(v -> v.getRule())
                .contains("claims_to_be_human", "unsupported_claim");
        assertThat(response.getScores(2).getRuleViolations(0).getRule()).isEqualTo("empty_or_degenerate");
        assertThat(response.getScores(1).getFeaturesMap()).containsKey("evidence_overlap");
        // deterministic
        assertThat(ranker.rank(request().addAllCandidates(response.getScoresList().stream()
                .map(s -> candidate(s.getCandidateIndex(), "x", CandidateOrigin.CANDIDATE_ORIGIN_GENERATED)).toList()).build())
                .getScoresCount()).isEqualTo(3);
    }

    @Test
    void badRequestsAndOversizedInputAreInvalidArgumentNamingTheField() {
        RankRequest.Builder tenThousand = request();
        for (int i = 0; i < 10_000; i++) {
            tenThousand.addCandidates(candidate(i, "answer " + i, CandidateOrigin.CANDIDATE_ORIGIN_GENERATED));
        }
        for (var bad : java.util.Map.of(
                "candidates: at least one", request().build(),
                "at most 64", tenThousand.build(),
                "question must not be empty", RankRequest.newBuilder().addCandidates(candidate(0, "a b", CandidateOrigin.CANDIDATE_ORIGIN_GENERATED)).build(),
                "used twice", request().addCandidates(candidate(1, "a b", CandidateOrigin.CANDIDATE_ORIGIN_GENERATED))
                        .addCandidates(candidate(1, "c d", CandidateOrigin.CANDIDATE_ORIGIN_GENERATED)).build(),
                "evidence_indices", request().addCandidates(Candidate.newBuilder().setIndex(0).setText("a b").addEvidenceIndices(3)).build(),
                "candidates[0].text must be at most 100000", request().addCandidates(candidate(0, "x".repeat(1 << 20),
                        CandidateOrigin.CANDIDATE_ORIGIN_GENERATED)).build()).entrySet()) {
            assertThatThrownBy(() -> ranker.rank(bad.getValue())).as(bad.getKey())
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                        assertThat(e.getStatus().getDescription()).contains(bad.getKey());
                    });
        }
    }
}
