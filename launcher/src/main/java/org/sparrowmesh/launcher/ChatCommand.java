package org.sparrowmesh.launcher;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.sparrowmesh.proto.v1.TurnOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code mesh chat}: turn after turn in one conversation, until an empty line or end of input. */
@Command(name = "chat", description = "Interactive multi-turn chat with the mesh (starts it when needed).")
final class ChatCommand implements Callable<Integer> {

    @Mixin
    HelpOption helpOption;

    @ParentCommand
    MeshCommand mesh;

    @Option(names = "--model", paramLabel = "FILE", description = "GGUF model for the decoder, when this starts the mesh.")
    Path model;

    @Override
    public Integer call() throws Exception {
        AskCommand.ensureMeshUp(mesh, model);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String conversation = null;
        while (true) {
            mesh.err().print("\nyou> ");
            mesh.err().flush();
            String line = in.readLine();
            if (line == null || line.isBlank()) {
                return 0;
            }
            TurnPrinter printer = new TurnPrinter(mesh.out(), mesh.err(), false);
            try {
                AskCommand.askOnce(mesh, line, conversation, TurnOptions.getDefaultInstance(), printer);
                conversation = printer.conversationId();
            } catch (MeshException e) {
                mesh.err().println("mesh: " + e.getMessage());
            }
        }
    }
}
