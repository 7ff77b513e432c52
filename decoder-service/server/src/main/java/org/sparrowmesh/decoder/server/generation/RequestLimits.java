package org.sparrowmesh.decoder.server.generation;

/** Bounds of a generation request shared by the gRPC and HTTP APIs (decoder.proto documents them). */
public final class RequestLimits {

    public static final int MAX_PROMPT_CHARACTERS = 200_000;
    public static final int MAX_MESSAGES = 256;
    public static final int MAX_MESSAGE_CHARACTERS = 8_000;
    public static final int MAX_STOP_STRINGS = 16;
    public static final int MAX_STOP_STRING_CHARACTERS = 64;
    public static final int MAX_ALTERNATIVES = 20;
    public static final int MAX_REQUEST_ID_CHARACTERS = 128;
    public static final int DEFAULT_MAX_TOKENS = 256;
    public static final float MAX_TEMPERATURE = 2f;

    private RequestLimits() {
    }

    /** Throws an IllegalArgumentException (INVALID_ARGUMENT) with {@code message} unless {@code condition}. */
    public static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
