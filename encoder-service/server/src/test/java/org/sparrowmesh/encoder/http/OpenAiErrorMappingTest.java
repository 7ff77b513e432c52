package org.sparrowmesh.encoder.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.RejectedExecutionException;

import org.junit.jupiter.api.Test;

/** The error statuses no request to a healthy app can provoke on demand (plain Java, no boot). */
class OpenAiErrorMappingTest {

    private final EmbeddingsResource resource = new EmbeddingsResource();

    @Test
    void aFullQueueIs429RateLimit() {
        var response = resource.busy(new RejectedExecutionException("the encoder queue is full"));
        assertThat(response.getStatus()).isEqualTo(429);
        assertThat(response.getEntity().error().type()).isEqualTo("requests");
        assertThat(response.getEntity().error().code()).isEqualTo("rate_limit_exceeded");
        assertThat(response.getEntity().error().message()).isEqualTo("the encoder queue is full");
    }

    @Test
    void noModelIs503AndABugIs500WithoutItsStackTrace() {
        var noModel = resource.unavailable(new IllegalStateException("no embedding model is loaded: gone"));
        assertThat(noModel.getStatus()).isEqualTo(503);
        assertThat(noModel.getEntity().error().code()).isEqualTo("model_not_loaded");
        var bug = resource.internal(new NullPointerException("secret detail"));
        assertThat(bug.getStatus()).isEqualTo(500);
        assertThat(bug.getEntity().error().message()).startsWith("internal error (id ").doesNotContain("secret");
    }
}
