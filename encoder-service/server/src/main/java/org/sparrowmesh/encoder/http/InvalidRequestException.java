package org.sparrowmesh.encoder.http;

/** A bad {@code /v1/embeddings} request, naming the JSON field at fault (OpenAI's {@code param}). */
public final class InvalidRequestException extends IllegalArgumentException {

    private final String param;

    public InvalidRequestException(String message, String param) {
        super(message);
        this.param = param;
    }

    /** The request field at fault, e.g. {@code input}; null for the body as a whole. */
    public String param() {
        return param;
    }
}
