package org.sparrowmesh.deploycheck;

/** A manifest that does not parse strictly: unknown kind, unknown field, bad value, duplicate key. */
public final class ManifestException extends RuntimeException {

    public ManifestException(String message) {
        super(message);
    }

    public ManifestException(String message, Throwable cause) {
        super(message, cause);
    }
}
