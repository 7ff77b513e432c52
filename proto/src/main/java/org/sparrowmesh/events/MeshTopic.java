package org.sparrowmesh.events;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The Kafka topics of the mesh (DESIGN §4): one constant per topic, shared by the producers, the
 * consumers, the embedded broker that creates them, and the tests.
 *
 * <p>Values are protobuf messages of {@code sparrowmesh/v1/events.proto}; headers follow the
 * CloudEvents Kafka binding ({@link CloudEventHeaders}).
 */
public enum MeshTopic {
    /** Key: conversation id. Value: {@code TurnRecorded} — a user turn as the gateway received it. */
    TURNS("mesh.turns"),
    /** Key: conversation id. Value: {@code EvidenceFound} — the snippets retrieved for a turn. */
    EVIDENCE("mesh.evidence"),
    /** Key: conversation id. Value: {@code CandidateFinished} — every finished candidate. */
    CANDIDATES("mesh.candidates"),
    /** Key: conversation id. Value: {@code RankingDone} — the scores of a turn's candidates. */
    RANKINGS("mesh.rankings"),
    /** Key: conversation id. Value: {@code AnswerChosen} — the answer streamed back to the user. */
    ANSWERS("mesh.answers"),
    /** Key: question id. Value: {@code BatchQuestion} — input of the gateway's batch answerer. */
    QUESTIONS("mesh.questions"),
    /** Key: question id. Value: {@code BatchAnswer} — output of the batch answerer. */
    BATCH_ANSWERS("mesh.batch-answers"),
    /** Key: doc id. Value: {@code DocumentToIndex} — input of the retrieval tool's indexer. */
    DOCS("mesh.docs"),
    /** Key: the original key. Value: {@code DeadLetter} — a record some consumer could not process. */
    DEAD_LETTERS("mesh.dlq");

    private final String topicName;

    MeshTopic(String topicName) {
        this.topicName = topicName;
    }

    /** The topic's name on the broker, e.g. {@code mesh.turns}. */
    public String topicName() {
        return topicName;
    }

    /** Every topic name, in declaration order. */
    public static List<String> allTopicNames() {
        return Arrays.stream(values()).map(MeshTopic::topicName).toList();
    }

    /** The topic with this broker name, if it is one of the mesh's. */
    public static Optional<MeshTopic> byTopicName(String name) {
        return Arrays.stream(values()).filter(t -> t.topicName.equals(name)).findFirst();
    }
}
