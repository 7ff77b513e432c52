package org.sparrowmesh.decoder.engine.gguf;

/**
 * A GGUF file that cannot be read: the message names the problem and the byte offset where it
 * was found, e.g. {@code "bad magic 0x46554747 at offset 0: not a GGUF file"}.
 */
public final class GGUFFormatException extends RuntimeException {

    private final long offset;

    public GGUFFormatException(String problem, long offset) {
        super(problem + " at offset " + offset);
        this.offset = offset;
    }

    /** Where in the file the problem was found. */
    public long offset() {
        return offset;
    }
}
