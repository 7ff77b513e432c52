package org.sparrowmesh.encoder.http;

/**
 * OpenAI's error body: {@code {"error": {"message", "type", "param", "code"}}}.
 *
 * @param error what went wrong
 */
public record OpenAiError(Detail error) {

    /**
     * @param message for a person
     * @param type    {@code invalid_request_error}, {@code requests} (rate limit) or {@code server_error}
     * @param param   the request field at fault, or null
     * @param code    a machine-readable reason, or null
     */
    public record Detail(String message, String type, String param, String code) {
    }

    public static OpenAiError of(String message, String type, String param, String code) {
        return new OpenAiError(new Detail(message, type, param, code));
    }
}
