package org.sparrowmesh.decoder.server.openai;

/** A refusal in OpenAI's terms: HTTP status, error type, the parameter at fault. */
final class OpenAiException extends RuntimeException {

    final int status;
    final String type;
    final String param;
    final String code;

    OpenAiException(int status, String type, String param, String code, String message) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    static OpenAiException invalid(String param, String message) {
        return new OpenAiException(400, "invalid_request_error", param, null, message);
    }
}
