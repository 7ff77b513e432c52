package org.sparrowmesh.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The pid files under {@code .mesh/run/}: which processes `mesh up` started, and whether each
 * is still the process we started — a pid alone may have been reused by anyone since.
 */
public final class ProcessRegistry {

    /** What a component's pid file says about it. */
    public enum PidState {
        /** No pid file: we did not start it, or `down` has stopped it. */
        NO_PID_FILE,
        /** A pid file whose process has exited (or whose content is not a pid). */
        DEAD,
        /** A live process with that pid, but not ours: its command line lacks our jar. */
        NOT_OURS,
        /** A live process that we started. */
        OURS
    }

    /** A component's pid file read and checked; {@code pid} is 0 when there is none. */
    public record Entry(Component component, PidState state, long pid) {

        public boolean ours() {
            return state == PidState.OURS;
        }

        /** The live process, for OURS entries. */
        public Optional<ProcessHandle> process() {
            return ours() ? ProcessHandle.of(pid) : Optional.empty();
        }
    }

    private final MeshLayout layout;

    public ProcessRegistry(MeshLayout layout) {
        this.layout = layout;
    }

    public Entry lookup(Component component) {
        Path file = layout.pidFile(component.name());
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII).strip();
        } catch (NoSuchFileException e) {
            return new Entry(component, PidState.NO_PID_FILE, 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        long pid;
        try {
            pid = Long.parseLong(text);
        } catch (NumberFormatException e) {
            return new Entry(component, PidState.DEAD, 0);
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (process.isEmpty()) {
            return new Entry(component, PidState.DEAD, pid);
        }
        return new Entry(component, isOurs(pid, component) ? PidState.OURS : PidState.NOT_OURS, pid);
    }

    public void record(Component component, long pid) {
        Path file = layout.pidFile(component.name());
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, pid + "\n", StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    public void forget(Component component) {
        Path file = layout.pidFile(component.name());
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + file, e);
        }
    }

    /** True when the live process {@code pid} runs the command line that {@code component} starts. */
    public static boolean isOurs(long pid, Component component) {
        Optional<String> commandLine = commandLine(pid);
        return commandLine.isPresent()
                && component.identityMarkers().stream().allMatch(commandLine.get()::contains);
    }

    /**
     * The command line of {@code pid}, arguments joined by blanks: from /proc/PID/cmdline on
     * Linux (complete even for long class paths), else from what the JDK can tell.
     */
    public static Optional<String> commandLine(long pid) {
        Path proc = Path.of("/proc", Long.toString(pid), "cmdline");
        try {
            byte[] raw = Files.readAllBytes(proc);
            return Optional.of(new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').strip());
        } catch (IOException | SecurityException e) {
            return ProcessHandle.of(pid).flatMap(p -> p.info().commandLine());
        }
    }
}
