package org.sparrowmesh.gateway.batch;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;

import java.util.Locale;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.sparrowmesh.events.CloudEventHeaders;
import org.sparrowmesh.gateway.turn.TurnValidator;
import org.sparrowmesh.proto.v1.BatchQuestion;
import org.sparrowmesh.proto.v1.DeadLetterCause;
import org.sparrowmesh.proto.v1.Turn;

/**
 * A record of {@code mesh.questions} read: a question with its id, or why it cannot be one. The
 * value is a binary {@code sparrowmesh.v1.BatchQuestion}, or the same in protobuf JSON when the
 * record's {@code content-type} header says {@code application/json}. The
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
        boolean json = isJson(record);
        try {
            if (json) {
                // kcat and other plain tools: -H content-type=application/json and the message in protobuf JSON
                BatchQuestion.Builder b = BatchQuestion.newBuilder();
                JsonFormat.parser().merge(new String(record.value(), StandardCharsets.UTF_8), b);
                question = b.build();
            } else {
                question = BatchQuestion.parseFrom(record.value());
            }
        } catch (InvalidProtocolBufferException e) {
            return rejected(key, DeadLetterCause.DEAD_LETTER_CAUSE_UNPARSEABLE, "the value is not a sparrowmesh.v1.BatchQuestion"
                    + (json ? " in protobuf JSON" : "") + ": " + e.getMessage());
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

    private static boolean isJson(ConsumerRecord<byte[], byte[]> record) {
        Header type = record.headers().lastHeader(CloudEventHeaders.CONTENT_TYPE);
        return type != null && type.value() != null
                && new String(type.value(), StandardCharsets.UTF_8).strip().toLowerCase(Locale.ROOT).startsWith("application/json");
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
