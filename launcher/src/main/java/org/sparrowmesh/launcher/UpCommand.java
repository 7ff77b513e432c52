package org.sparrowmesh.launcher;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code mesh up}: checks that nothing is in the way, starts Kafka and waits for it, then starts
 * the five services and waits for each to answer its gRPC health check.
 *
 * <p>Every process runs under {@code setsid}, in a session of its own, so that Ctrl-C on
 * {@code mesh up} or closing its terminal leaves the mesh running; {@code mesh down} stops it.
 */
@Command(
        name = "up",
        header = "Starts the local mesh in the background and waits until it is healthy.",
        description = {
            "Starts the Kafka broker, waits for it, then starts the gateway, decoder, encoder, retrieval"
                    + " and ranker services, each in its own JVM and session (Ctrl-C here does not stop"
                    + " them), and waits until each answers its gRPC health check.",
            "Logs go to .mesh/logs/NAME.log, pids to .mesh/run/NAME.pid; `mesh down` stops them."
                    + " The mesh script builds what is missing first.",
            ""
        })
final class UpCommand implements Callable<Integer> {

    private static final int LOG_LINES_ON_FAILURE = 30;
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(500);

    @Mixin
    HelpOption helpOption;

    @ParentCommand
    MeshCommand mesh;

    @Option(names = "--model", paramLabel = "FILE",
            description = "GGUF model file for the decoder (given to it as MESH_MODEL).")
    Path model;

    @Option(names = "--timeout", paramLabel = "SECONDS",
            description = "How long to wait for each component to become healthy "
                    + "(default: MESH_START_TIMEOUT, else 120).")
    Integer timeoutSeconds;

    /** A process we started, and when. */
    private record Started(Component component, Process process, long startNanos, Path log) {}

    /** How waiting for one component ended; {@code failure} is empty when it became healthy. */
    private record Outcome(Started started, Optional<String> failure) {}

    @Override
    public Integer call() throws Exception {
        MeshConfig config = mesh.config();
        PrintWriter err = mesh.err();
        Duration timeout = timeoutSeconds == null ? config.startTimeout() : Duration.ofSeconds(timeoutSeconds);
        if (timeout.isNegative() || timeout.isZero()) {
            throw new MeshException("--timeout must be at least 1 second, got " + timeout.toSeconds());
        }
        ProcessRegistry registry = new ProcessRegistry(config.layout());

        refuseWhenAlreadyUp(config, registry);
        refuseWhenPortsTaken(config);
        refuseWhenNotBuilt(config);
        Optional<Path> modelFile = modelFile();
        Optional<Path> setsid = findOnPath("setsid");
        if (setsid.isEmpty()) {
            err.println("mesh: setsid not found: the mesh processes stay in this terminal's process group");
        }
        if (modelFile.isEmpty() && mesh.env().get("MESH_MODEL") == null) {
            err.println("mesh: no model (--model FILE or MESH_MODEL): the decoder starts without one, "
                    + "and answers come from evidence alone");
        }

        config.layout().createDirectories();
        for (Component component : config.components()) {
            registry.forget(component); // pid files left by processes that are gone (checked above)
        }

        // Ctrl-C from here on ends only this command; the processes run on in their own sessions.
        Thread interrupted = new Thread(() -> {
            err.println();
            err.println("mesh: interrupted: what did start keeps running; 'mesh status' shows it, 'mesh down' stops it");
            err.flush();
        });
        Runtime.getRuntime().addShutdownHook(interrupted);
        try {
            return startAll(config, registry, setsid, modelFile, timeout, err);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(interrupted);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run: nothing to remove
            }
        }
    }

    private int startAll(MeshConfig config, ProcessRegistry registry, Optional<Path> setsid, Optional<Path> modelFile,
            Duration timeout, PrintWriter err) throws IOException, InterruptedException {
        HealthProbe probe = new HealthProbe(PROBE_TIMEOUT);
        Started kafka = start(config, registry, config.kafka(), setsid, modelFile, err);
        Outcome kafkaOutcome = awaitHealthy(kafka, probe, timeout, err);
        if (kafkaOutcome.failure().isPresent()) {
            reportFailures(List.of(kafkaOutcome), err);
            return 1;
        }

        List<Started> services = new ArrayList<>();
        for (Component service : config.services()) {
            services.add(start(config, registry, service, setsid, modelFile, err));
        }
        List<Outcome> outcomes = new ArrayList<>();
        try (ExecutorService waiters = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Outcome>> futures = services.stream()
                    .map(started -> waiters.submit(() -> awaitHealthy(started, probe, timeout, err)))
                    .toList();
            for (Future<Outcome> future : futures) {
                outcomes.add(outcomeOf(future));
            }
        }
        List<Outcome> failures = outcomes.stream().filter(o -> o.failure().isPresent()).toList();
        if (!failures.isEmpty()) {
            reportFailures(failures, err);
            return 1;
        }

        List<StatusRow> rows = Stream.concat(Stream.of(kafka), services.stream())
                .map(s -> new StatusRow(s.component().name(), s.component().port(), s.process().pid(),
                        StatusRow.State.RUNNING, s.log()))
                .toList();
        StatusRow.printTable(rows, mesh.out());
        return 0;
    }

    private static void refuseWhenAlreadyUp(MeshConfig config, ProcessRegistry registry) {
        List<String> live = config.components().stream()
                .map(registry::lookup)
                .filter(ProcessRegistry.Entry::ours)
                .map(e -> e.component().name() + " (pid " + e.pid() + ")")
                .toList();
        if (!live.isEmpty()) {
            throw new MeshException("the mesh is already up: " + String.join(", ", live)
                    + " still running; 'mesh status' shows it, 'mesh down' stops it");
        }
    }

    private static void refuseWhenPortsTaken(MeshConfig config) {
        List<String> taken = new ArrayList<>();
        List<String> variables = new ArrayList<>();
        config.boundPorts().forEach((port, owner) -> {
            if (!PortCheck.isFree(port)) {
                taken.add("port " + port + " (" + owner + ")");
                variables.add(Component.portVariable(owner.replace(' ', '_')));
            }
        });
        if (!taken.isEmpty()) {
            throw new MeshException(String.join(", ", taken) + (taken.size() == 1 ? " is" : " are")
                    + " already in use by another process; stop it or choose another port with "
                    + String.join(", ", variables));
        }
    }

    private static void refuseWhenNotBuilt(MeshConfig config) {
        List<String> missing = config.components().stream()
                .filter(c -> !Files.isRegularFile(c.artifact()))
                .map(c -> c.name() + " (" + config.layout().root().relativize(c.artifact()) + ")")
                .toList();
        if (!missing.isEmpty()) {
            throw new MeshException("not built: " + String.join(", ", missing) + "; run 'mesh build'");
        }
    }

    private Optional<Path> modelFile() {
        if (model == null) {
            return Optional.empty();
        }
        Path file = mesh.cwd().resolve(model).toAbsolutePath().normalize();
        if (!Files.isRegularFile(file)) {
            throw new MeshException("--model " + model + ": no such file (" + file + ")");
        }
        return Optional.of(file);
    }

    private static Started start(MeshConfig config, ProcessRegistry registry, Component component,
            Optional<Path> setsid, Optional<Path> modelFile, PrintWriter err) throws IOException {
        List<String> command = new ArrayList<>();
        setsid.ifPresent(path -> command.add(path.toString()));
        command.addAll(component.commandLine(config));
        Path log = config.layout().logFile(component.name());
        Files.writeString(log, "=== " + Instant.now() + " mesh up: " + String.join(" ", command) + "\n",
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);

        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(config.layout().root().toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().putAll(component.environment(config));
        if (component.name().equals(MeshConfig.DECODER)) {
            modelFile.ifPresent(file -> builder.environment().put("MESH_MODEL", file.toString()));
        }
        err.println("mesh: starting " + component.name() + " on 127.0.0.1:" + component.port()
                + " (log: " + log + ")");
        err.flush();
        Process process = builder.start();
        // setsid execs java in place (a child of a JVM is no process-group leader), so this
        // pid is the JVM's own and its command line holds the jar that `down` checks for.
        registry.record(component, process.pid());
        return new Started(component, process, System.nanoTime(), log);
    }

    private static Outcome awaitHealthy(Started started, HealthProbe probe, Duration timeout, PrintWriter err)
            throws InterruptedException {
        Component component = started.component();
        long deadline = started.startNanos() + timeout.toNanos();
        while (true) {
            if (!started.process().isAlive()) {
                return new Outcome(started, Optional.of(component.name() + " exited with code "
                        + started.process().exitValue() + " before it became healthy"));
            }
            HealthProbe.Result result = probe.check(component);
            if (result.healthy()) {
                double seconds = (System.nanoTime() - started.startNanos()) / 1e9;
                synchronized (err) {
                    err.printf("mesh: %s is healthy after %.1f s (%s)%n", component.name(), seconds, result.detail());
                    err.flush();
                }
                return new Outcome(started, Optional.empty());
            }
            if (System.nanoTime() > deadline) {
                return new Outcome(started, Optional.of(component.name() + " did not become healthy within "
                        + timeout.toSeconds() + " s (last check: " + result.detail() + ")"));
            }
            Thread.sleep(POLL_INTERVAL);
        }
    }

    private static void reportFailures(List<Outcome> failures, PrintWriter err) {
        for (Outcome failure : failures) {
            Path log = failure.started().log();
            err.println("mesh: " + failure.failure().orElseThrow() + "; last " + LOG_LINES_ON_FAILURE
                    + " lines of " + log + ":");
            LogFiles.tail(log, LOG_LINES_ON_FAILURE).forEach(line -> err.println("    " + line));
        }
        err.println("mesh: what did start keeps running: 'mesh status' shows it, 'mesh down' stops it");
        err.flush();
    }

    private static Optional<Path> findOnPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        return Stream.of(path.split(File.pathSeparator))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, program))
                .filter(Files::isExecutable)
                .findFirst();
    }

    private static Outcome outcomeOf(Future<Outcome> future) throws InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof InterruptedException interrupted) {
                throw interrupted;
            }
            throw new IllegalStateException(e.getCause());
        }
    }
}
