package org.sparrowmesh.launcher;

/**
 * A failure the user can act on: its message is printed as {@code mesh: <message>} on stderr,
 * without a stack trace, and the command exits with {@link #exitCode()}.
 */
public final class MeshException extends RuntimeException {

    private final int exitCode;

    public MeshException(String message) {
        this(message, 1);
    }

    public MeshException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
