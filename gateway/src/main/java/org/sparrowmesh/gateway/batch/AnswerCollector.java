package org.sparrowmesh.gateway.batch;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import com.google.rpc.Code;
import org.sparrowmesh.proto.v1.BatchAnswer;
import org.sparrowmesh.proto.v1.BatchError;
import org.sparrowmesh.proto.v1.Candidate;
import org.sparrowmesh.proto.v1.StageState;
import org.sparrowmesh.proto.v1.TurnEvent;

/**
 * Gathers the events of a question's turn into its {@link BatchAnswer}: evidence, every finished
 * candidate, the ranking, the answer and the status. Events arrive on one stream, in order, so
 * no locking is needed.
 */
final class AnswerCollector {

    private final BatchAnswer.Builder answer;
    private final List<Candidate> candidates = new ArrayList<>();

    AnswerCollector(String questionId, String instanceId) {
        this.answer = BatchAnswer.newBuilder().setQuestionId(questionId).setAnsweredBy(instanceId);
    }

    void accept(TurnEvent event) {
        answer.setConversationId(event.getConversationId()).setTurnId(event.getTurnId());
        switch (event.getEventCase()) {
            case EVIDENCE -> answer.setEvidence(event.getEvidence());
            case CANDIDATE_DONE -> candidates.add(event.getCandidateDone().getCandidate());
            case RANKING -> answer.setRanking(event.getRanking());
            case ANSWER -> answer.setAnswer(event.getAnswer());
            case STATUS -> answer.setStatus(event.getStatus());
            default -> {
                // deltas: the finished candidates carry the whole text
            }
        }
    }

    /** The answer once the turn's stream completed; a turn without an answer becomes an UNAVAILABLE error naming the failed stages. */
    BatchAnswer finish() {
        candidates.sort(java.util.Comparator.comparingInt(Candidate::getIndex));
        answer.addAllCandidates(candidates).setOccurredAt(BatchRecords.timestamp(Instant.now()));
        if (!answer.hasAnswer()) {
            String failed = answer.getStatus().getStagesList().stream()
                    .filter(s -> s.getState() == StageState.STAGE_STATE_FAILED)
                    .map(s -> s.getReason().isEmpty() ? s.getStage().name() : s.getReason())
                    .collect(Collectors.joining("; "));
            answer.setError(BatchError.newBuilder().setCode(Code.UNAVAILABLE)
                    .setMessage("no answer: " + (failed.isEmpty() ? "the turn produced no candidate" : failed)));
        }
        return answer.build();
    }

    /** An answer that is only an error: the question was invalid, or its turn broke or ran out of time. */
    static BatchAnswer error(String questionId, String instanceId, Code code, String message) {
        return BatchAnswer.newBuilder().setQuestionId(questionId).setAnsweredBy(instanceId)
                .setOccurredAt(BatchRecords.timestamp(Instant.now()))
                .setError(BatchError.newBuilder().setCode(code).setMessage(message)).build();
    }
}
