package org.sparrowmesh.bench;

import java.util.concurrent.TimeUnit;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.sparrowmesh.proto.v1.Answer;
import org.sparrowmesh.proto.v1.CandidateOrigin;
import org.sparrowmesh.proto.v1.Snippet;
import org.sparrowmesh.proto.v1.TurnEvent;

/**
 * Why the mesh's Kafka values are binary protobuf: the cost of writing and reading one answer
 * event (an Answer citing five 500-character snippets) as protobuf, against its JSON form as the
 * baseline measured in the same run. Compare {@code protobuf*} with {@code json*}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class EventEncodingBenchmark {

    private TurnEvent event;
    private byte[] protobufBytes;
    private String json;
    private final JsonFormat.Printer printer = JsonFormat.printer();
    private final JsonFormat.Parser parser = JsonFormat.parser();

    @Setup
    public void setUp() throws Exception {
        Answer.Builder answer = Answer.newBuilder()
                .setText("The Eiffel Tower is 330 metres tall since a new antenna was added in 2022.")
                .setCandidateIndex(3)
                .setOrigin(CandidateOrigin.CANDIDATE_ORIGIN_GENERATED_WITH_EVIDENCE)
                .setReward(1.25);
        for (int i = 0; i < 5; i++) {
            answer.addCitedSnippets(Snippet.newBuilder()
                    .setDocumentId("doc-" + i)
                    .setPassageId("doc-" + i + "#" + i)
                    .setTitle("Eiffel Tower")
                    .setSource("demo-corpus")
                    .setText("x".repeat(480) + " snippet " + i)
                    .setScore(12.5 - i)
                    .setStartOffset(i * 500)
                    .setEndOffset(i * 500 + 490));
        }
        event = TurnEvent.newBuilder().setConversationId("c-1").setTurnId("t-1").setSequenceNumber(7)
                .setAnswer(answer).build();
        protobufBytes = event.toByteArray();
        json = printer.print(event);
    }

    @Benchmark
    public byte[] protobufWrite() {
        return event.toByteArray();
    }

    @Benchmark
    public TurnEvent protobufRead() throws InvalidProtocolBufferException {
        return TurnEvent.parseFrom(protobufBytes);
    }

    @Benchmark
    public String jsonWrite() throws InvalidProtocolBufferException {
        return printer.print(event);
    }

    @Benchmark
    public TurnEvent jsonRead() throws InvalidProtocolBufferException {
        TurnEvent.Builder builder = TurnEvent.newBuilder();
        parser.merge(json, builder);
        return builder.build();
    }
}
