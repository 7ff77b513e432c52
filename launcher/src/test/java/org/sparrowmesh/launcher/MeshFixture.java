package org.sparrowmesh.launcher;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A mesh root in a temporary folder, every port moved to a free ephemeral one (so a real mesh
 * on the default ports is never touched), and a way to run {@code mesh} commands against it.
 * Stand-in processes started here are killed by {@link #close()}.
 */
final class MeshFixture implements AutoCloseable {

    /** What a command printed and returned. */
    record Run(int exitCode, String out, String err) {}

    final Path root;
    final Map<String, String> env = new HashMap<>();
    private final List<Process> processes = new ArrayList<>();

    MeshFixture(Path root) {
        this.root = root;
        for (String name : List.of("kafka", "gateway", "decoder", "encoder", "retrieval", "ranker")) {
            env.put(Component.portVariable(name), Integer.toString(freePort()));
        }
        env.put("MESH_KAFKA_CONTROLLER_PORT", Integer.toString(freePort()));
    }

    Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exitCode = MeshCommand.commandLine(root, root, env, new PrintWriter(out, true), new PrintWriter(err, true))
                .execute(args);
        return new Run(exitCode, out.toString(), err.toString());
    }

    MeshConfig config() {
        return MeshConfig.from(root, root, env);
    }

    int port(String component) {
        return Integer.parseInt(env.get(Component.portVariable(component)));
    }

    /** Creates empty files where the component jars belong, so `up` gets past its build check. */
    void fakeArtifacts() throws IOException {
        for (Component component : config().components()) {
            Files.createDirectories(component.artifact().getParent());
            Files.write(component.artifact(), new byte[0]);
        }
    }

    /**
     * A live process whose command line carries {@code component}'s identity markers, as the JVM
     * that `up` starts would: a bash loop with the markers as its arguments.
     */
    Process standIn(Component component) throws IOException {
        return standIn(component, false);
    }

    /** Like {@link #standIn(Component)}; with {@code ignoreTerm} it survives SIGTERM. */
    Process standIn(Component component, boolean ignoreTerm) throws IOException {
        List<String> command = new ArrayList<>(List.of("bash", "-c",
                (ignoreTerm ? "trap '' TERM; " : "") + "while :; do sleep 0.1; done", "stand-in"));
        command.addAll(component.identityMarkers());
        return track(new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
    }

    /** A live process that is nobody the mesh started. */
    Process sleeper() throws IOException {
        return track(new ProcessBuilder("sleep", "300").redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
    }

    void writePid(String component, long pid) throws IOException {
        Path file = config().layout().pidFile(component);
        Files.createDirectories(file.getParent());
        Files.writeString(file, pid + "\n");
    }

    private Process track(Process process) {
        processes.add(process);
        return process;
    }

    @Override
    public void close() {
        processes.forEach(Process::destroyForcibly);
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
