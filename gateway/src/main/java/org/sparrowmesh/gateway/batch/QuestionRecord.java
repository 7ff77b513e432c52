package org.sparrowmesh.gateway.batch;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;

import com.google.protobuf.InvalidProtocolBufferException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.sparrowmesh.gateway.turn.TurnValidator;
import org.sparrowmesh.proto.v1.BatchQuestion;
import org.sparrowmesh.proto.v1.DeadLetterCause;
import org.sparrowmesh.proto.v1.Turn;

/**
 * A record of {@code mesh.questions} read: a question with its id, or why it cannot be one. The
 * question id is the value's {@code question_id}, else the record key; when both are set they
 * must agree. The question's text and options are checked by the turn pipeline itself.
 *
 * @param question   the parsed question (with its id filled in), null when rejected
 * @param questionId the question's id when one could be read (a rejected record may still have one)
 * @param cause      why the record was rejected, null when it was not
 * @param reason     the rejection in words, naming the bad value
 */
record QuestionRecord(BatchQuestion question, String questionId, DeadLetterCause cause, String reason) {

    static QuestionRecord read(ConsumerRecord<byte[], byte[]> record) {
        String key;
        try {
            key = record.key() == null ? "" : StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(record.key())).toString();
        } catch (CharacterCodingException e) {
            return rejected(null, DeadLetterCause.DEAD_LETTER_CAUSE_UNPARSEABLE, "the key is not UTF-8 text");
        }
        if (record.value() == null) {
            return rejected(key, DeadLetterCause.DEAD_LETTER_CAUSE_UNPARSEABLE, "the record has no value (a tombstone)");
        }
        BatchQuestion question;
        try {
            question = BatchQuestion.parseFrom(record.value());
        } catch (InvalidProtocolBufferException e) {
            return rejected(key, DeadLetterCause.DEAD_LETTER_CAUSE_UNPARSEABLE,
                    "the value is not a sparrowmesh.v1.BatchQuestion: " + e.getMessage());
        }
        String id = question.getQuestionId().isEmpty() ? key : question.getQuestionId();
        if (id.isEmpty()) {
            return rejected(null, DeadLetterCause.DEAD_LETTER_CAUSE_INVALID,
                    "question_id is empty and the record has no key: the answer would have no id");
        }
        if (!key.isEmpty() && !key.equals(question.getQuestionId()) && !question.getQuestionId().isEmpty()) {
            return rejected(key, DeadLetterCause.DEAD_LETTER_CAUSE_INVALID,
                    "question_id '" + question.getQuestionId() + "' differs from the record key '" + key + "'");
        }
        String idProblem = idProblem(id);
        if (idProblem != null) {
            return rejected(null, DeadLetterCause.DEAD_LETTER_CAUSE_INVALID, idProblem);
        }
        return new QuestionRecord(question.toBuilder().setQuestionId(id).build(), id, null, null);
    }

    /** Null for a good id; the same rules as a turn id, since the id becomes the turn id of the question's turn. */
    private static String idProblem(String id) {
        try {
            TurnValidator.requireValid(Turn.newBuilder().setText("-").setTurnId(id).build());
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage().replace("turn_id", "question_id");
        }
    }

    /** A rejected record keeps its id when the id itself is good, so its error answer can carry it. */
    private static QuestionRecord rejected(String id, DeadLetterCause cause, String reason) {
        boolean usable = id != null && !id.isEmpty() && idProblem(id) == null;
        return new QuestionRecord(null, usable ? id : null, cause, reason);
    }

    boolean rejected() {
        return cause != null;
    }
}
