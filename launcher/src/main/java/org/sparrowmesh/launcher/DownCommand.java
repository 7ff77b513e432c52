package org.sparrowmesh.launcher;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code mesh down}: stops the processes that {@code mesh up} started — the services first, then
 * Kafka — with SIGTERM, and SIGKILL for those still alive after the grace period. A pid file
 * whose process is gone, or is no longer ours, is only removed. Running it twice is harmless.
 */
@Command(
        name = "down",
        header = "Stops the processes that `mesh up` started.",
        description = {
            "Stops only the processes `mesh up` started (pids in .mesh/run/ whose command line is still"
                    + " ours): SIGTERM, then SIGKILL after the grace period. Safe to run twice.",
            ""
        })
final class DownCommand implements Callable<Integer> {

    private static final Duration KILL_WAIT = Duration.ofSeconds(5);

    @Mixin
    HelpOption helpOption;

    @ParentCommand
    MeshCommand mesh;

    @Option(names = "--grace", paramLabel = "SECONDS", defaultValue = "20",
            description = "How long each process may take to shut down before SIGKILL (default: ${DEFAULT-VALUE}).")
    int graceSeconds;

    /** How many lines this run printed about pid files and processes. */
    private int reported;

    /** A process we sent SIGTERM to. */
    private record Stopping(ProcessRegistry.Entry entry, ProcessHandle process) {}

    @Override
    public Integer call() throws InterruptedException {
        if (graceSeconds < 0) {
            throw new MeshException("--grace must not be negative, got " + graceSeconds);
        }
        MeshConfig config = mesh.config();
        ProcessRegistry registry = new ProcessRegistry(config.layout());
        PrintWriter out = mesh.out();
        // Services before the broker, so that none of them loses Kafka while it shuts down.
        List<Component> services = new ArrayList<>(config.services()).reversed();
        boolean servicesStopped = stop(services, registry, out);
        boolean kafkaStopped = stop(List.of(config.kafka()), registry, out);
        if (reported == 0) {
            out.println("nothing to stop: no process started by mesh is running");
        }
        out.flush();
        return servicesStopped && kafkaStopped ? 0 : 1;
    }

    /** Stops {@code components} together; false when one of them survived SIGKILL. */
    private boolean stop(List<Component> components, ProcessRegistry registry, PrintWriter out)
            throws InterruptedException {
        List<Stopping> stopping = new ArrayList<>();
        for (Component component : components) {
            ProcessRegistry.Entry entry = registry.lookup(component);
            switch (entry.state()) {
                case NO_PID_FILE -> { }
                case DEAD -> {
                    registry.forget(component);
                    out.println("removed the pid file of " + component.name()
                            + (entry.pid() > 0 ? " (pid " + entry.pid() + " had already exited)" : " (no pid in it)"));
                    reported++;
                }
                case NOT_OURS -> {
                    registry.forget(component);
                    out.println("left pid " + entry.pid() + " alone: it is not the " + component.name()
                            + " that mesh started (removed its stale pid file)");
                    reported++;
                }
                case OURS -> entry.process().ifPresent(process -> {
                    process.destroy(); // SIGTERM: Quarkus and Kafka shut down cleanly on it
                    stopping.add(new Stopping(entry, process));
                });
            }
        }
        boolean allStopped = true;
        long deadline = System.nanoTime() + Duration.ofSeconds(graceSeconds).toNanos();
        for (Stopping s : stopping) {
            String name = s.entry().component().name();
            long pid = s.entry().pid();
            reported++;
            if (awaitExit(s.process(), Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
                out.println("stopped " + name + " (pid " + pid + ")");
            } else {
                s.process().destroyForcibly();
                if (awaitExit(s.process(), KILL_WAIT)) {
                    out.println("stopped " + name + " (pid " + pid + ") with SIGKILL after " + graceSeconds + " s");
                } else {
                    mesh.err().println("mesh: " + name + " (pid " + pid + ") survived SIGKILL; its pid file stays");
                    allStopped = false;
                    continue;
                }
            }
            registry.forget(s.entry().component());
        }
        out.flush();
        return allStopped;
    }

    private static boolean awaitExit(ProcessHandle process, Duration timeout) throws InterruptedException {
        try {
            process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return !process.isAlive();
        } catch (ExecutionException e) {
            return !process.isAlive();
        }
    }
}
