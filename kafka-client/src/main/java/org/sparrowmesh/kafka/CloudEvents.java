package org.sparrowmesh.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

import com.google.protobuf.Message;
import org.apache.kafka.common.header.Headers;
import org.sparrowmesh.events.CloudEventHeaders;

/**
 * The CloudEvents headers (binary content mode, {@link CloudEventHeaders}) of a record the mesh
 * writes, so any consumer can tell what it is without parsing the value.
 */
public final class CloudEvents {

    private CloudEvents() {
    }

    /**
     * Adds spec version, a fresh id, {@code source}, the type named after the protobuf message of
     * {@code value}, the time now and the protobuf content type to {@code headers}.
     */
    public static Headers stamp(Headers headers, String source, Message value) {
        return headers.add(CloudEventHeaders.SPECVERSION, utf8(CloudEventHeaders.SPEC_VERSION))
                .add(CloudEventHeaders.ID, utf8(UUID.randomUUID().toString()))
                .add(CloudEventHeaders.SOURCE, utf8(source))
                .add(CloudEventHeaders.TYPE, utf8(CloudEventHeaders.TYPE_PREFIX + value.getDescriptorForType().getName()))
                .add(CloudEventHeaders.TIME, utf8(Instant.now().toString()))
                .add(CloudEventHeaders.CONTENT_TYPE, utf8(CloudEventHeaders.PROTOBUF_CONTENT_TYPE));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
