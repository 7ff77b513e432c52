package org.sparrowmesh.launcher;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code mesh status}: for each component, running (our process is alive and healthy),
 * unhealthy (alive, health check fails) or stopped. Reads pid files, changes nothing.
 */
@Command(
        name = "status",
        header = "Shows whether each component of the local mesh runs and is healthy.",
        description = {
            "For each component: running (alive and healthy), unhealthy (alive, its health check"
                    + " fails) or stopped. Exits 0 in every case.",
            ""
        })
final class StatusCommand implements Callable<Integer> {

    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

    @Mixin
    HelpOption helpOption;

    @ParentCommand
    MeshCommand mesh;

    @Option(names = "--json",
            description = "Print one JSON array on stdout: {name, port, pid (null when none), state} per component.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        List<StatusRow> rows = rows(mesh.config());
        if (json) {
            ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            mesh.out().println(mapper.writeValueAsString(rows));
            mesh.out().flush();
        } else {
            StatusRow.printTable(rows, mesh.out());
        }
        return 0;
    }

    /** The state of every component; the health checks run in parallel (Kafka's takes longest). */
    static List<StatusRow> rows(MeshConfig config) throws InterruptedException {
        ProcessRegistry registry = new ProcessRegistry(config.layout());
        HealthProbe probe = new HealthProbe(PROBE_TIMEOUT);
        List<Future<StatusRow>> futures = new ArrayList<>();
        try (ExecutorService probes = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Component component : config.components()) {
                futures.add(probes.submit(() -> row(component, registry, probe, config.layout())));
            }
        }
        List<StatusRow> rows = new ArrayList<>();
        for (Future<StatusRow> future : futures) {
            try {
                rows.add(future.get());
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            }
        }
        return rows;
    }

    private static StatusRow row(Component component, ProcessRegistry registry, HealthProbe probe, MeshLayout layout) {
        ProcessRegistry.Entry entry = registry.lookup(component);
        if (!entry.ours()) {
            return new StatusRow(component.name(), component.port(), null, StatusRow.State.STOPPED,
                    layout.logFile(component.name()));
        }
        StatusRow.State state = probe.check(component).healthy() ? StatusRow.State.RUNNING : StatusRow.State.UNHEALTHY;
        return new StatusRow(component.name(), component.port(), entry.pid(), state, layout.logFile(component.name()));
    }
}
