package org.sparrowmesh.launcher;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import org.sparrowmesh.proto.v1.ChatGrpc;
import org.sparrowmesh.proto.v1.Turn;
import org.sparrowmesh.proto.v1.TurnEvent;
import org.sparrowmesh.proto.v1.TurnOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code mesh ask "question"}: one Sparrow turn. Starts the local mesh when it is not running (and
 * leaves it running for the next question), then streams the turn from the gateway: the evidence,
 * the candidates with their rewards and rule violations, the answer with its sources, the stages.
 */
@Command(name = "ask", description = "Answers one question with evidence (starts the local mesh when needed).")
final class AskCommand implements Callable<Integer> {

    @Mixin
    HelpOption helpOption;

    @ParentCommand
    MeshCommand mesh;

    @Parameters(paramLabel = "QUESTION", arity = "1..*", description = "The question (several words are joined).")
    List<String> words;

    @Option(names = "--model", paramLabel = "FILE", description = "GGUF model for the decoder, when this starts the mesh.")
    Path model;

    @Option(names = "--json", description = "Print one JSON document: answer, evidence, candidates, status.")
    boolean json;

    @Option(names = "--conversation", paramLabel = "ID", description = "Continue this conversation.")
    String conversationId;

    @Option(names = "--seed", description = "Sampling seed (same seed, same candidates).")
    Long seed;

    @Option(names = "--max-tokens", description = "Most tokens per sampled candidate (default: the gateway's, 256).")
    Integer maxTokens;

    @Override
    public Integer call() throws Exception {
        ensureMeshUp(mesh, model);
        TurnPrinter printer = new TurnPrinter(mesh.out(), mesh.err(), json);
        askOnce(mesh, String.join(" ", words), conversationId, options(), printer);
        return 0;
    }

    private TurnOptions options() {
        TurnOptions.Builder o = TurnOptions.newBuilder();
        if (seed != null) {
            o.setSeed(seed);
        }
        if (maxTokens != null) {
            o.setMaxTokens(maxTokens);
        }
        return o.build();
    }

    /** Starts the mesh unless the gateway already answers its health check. */
    static void ensureMeshUp(MeshCommand mesh, Path model) {
        MeshConfig config = mesh.config();
        Component gateway = config.components().stream().filter(c -> c.name().equals("gateway")).findFirst().orElseThrow();
        if (new HealthProbe(Duration.ofSeconds(2)).check(gateway).healthy()) {
            return;
        }
        mesh.err().println("mesh: the local mesh is not running: starting it (mesh down stops it)");
        mesh.err().flush();
        List<String> args = new ArrayList<>(List.of("up"));
        if (model != null) {
            args.add("--model");
            args.add(model.toString());
        }
        int code = mesh.spec().root().commandLine().execute(args.toArray(String[]::new));
        if (code != 0) {
            throw new MeshException("the local mesh did not start (see above)");
        }
    }

    /** Sends one turn to the gateway and hands every event to the printer. */
    static void askOnce(MeshCommand mesh, String text, String conversationId, TurnOptions options, TurnPrinter printer)
            throws InterruptedException {
        int port = mesh.config().components().stream().filter(c -> c.name().equals("gateway")).findFirst().orElseThrow().port();
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        try {
            Turn.Builder turn = Turn.newBuilder().setText(text).setOptions(options);
            if (conversationId != null) {
                turn.setConversationId(conversationId);
            }
            Iterator<TurnEvent> events = ChatGrpc.newBlockingStub(channel).withDeadlineAfter(120, TimeUnit.SECONDS)
                    .ask(turn.build());
            while (events.hasNext()) {
                printer.accept(events.next());
            }
            printer.finish();
        } catch (StatusRuntimeException e) {
            throw new MeshException("the gateway refused the turn: " + e.getStatus().getCode()
                    + (e.getStatus().getDescription() == null ? "" : " " + e.getStatus().getDescription()));
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
