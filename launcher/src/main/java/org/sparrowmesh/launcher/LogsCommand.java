package org.sparrowmesh.launcher;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code mesh logs [COMPONENT] [-f]}: the end of one log, or of all with a header each. */
@Command(
        name = "logs",
        header = "Prints the end of one log, or of every log.",
        description = {
            "Prints the end of a component's log (.mesh/logs/NAME.log), or of every log with a header"
                    + " each. -f keeps printing what is appended, prefixed by the component when following"
                    + " several.",
            ""
        })
final class LogsCommand implements Callable<Integer> {

    @Mixin
    HelpOption helpOption;

    @ParentCommand
    MeshCommand mesh;

    @Parameters(arity = "0..1", paramLabel = "COMPONENT",
            description = "kafka, gateway, decoder, encoder, retrieval or ranker (default: all).")
    String component;

    @Option(names = {"-f", "--follow"}, description = "Keep printing appended lines until Ctrl-C.")
    boolean follow;

    @Option(names = {"-n", "--lines"}, paramLabel = "N", defaultValue = "40",
            description = "How many lines from the end of each log (default: ${DEFAULT-VALUE}).")
    int lines;

    @Override
    public Integer call() throws InterruptedException {
        if (lines < 0) {
            throw new MeshException("--lines must not be negative, got " + lines);
        }
        MeshConfig config = mesh.config();
        List<Component> selected = component == null ? config.components() : List.of(config.component(component));
        Map<String, Path> files = new LinkedHashMap<>();
        selected.forEach(c -> files.put(c.name(), config.layout().logFile(c.name())));
        PrintWriter out = mesh.out();

        // Created before the tails are printed, so that no line appended meanwhile is lost.
        LogFollower follower = follow ? new LogFollower(files) : null;
        if (component != null) {
            Path file = files.get(component);
            if (!Files.exists(file) && !follow) {
                throw new MeshException("no log for " + component + " yet (" + file + "); 'mesh up' writes it");
            }
            LogFiles.tail(file, lines).forEach(out::println);
        } else {
            boolean first = true;
            for (Map.Entry<String, Path> log : files.entrySet()) {
                if (!first) {
                    out.println();
                }
                first = false;
                out.println("==> " + log.getKey() + ": " + log.getValue() + " <==");
                if (Files.exists(log.getValue())) {
                    LogFiles.tail(log.getValue(), lines).forEach(out::println);
                } else {
                    out.println("(no log yet)");
                }
            }
        }
        out.flush();
        if (follower != null) {
            follower.run(out);
        }
        return 0;
    }
}
