package org.sparrowmesh.events;

/**
 * Kafka header names of the CloudEvents 1.0 Kafka protocol binding (binary content mode), which
 * every record the mesh writes carries, so any consumer can tell what a record is without
 * parsing its value.
 */
public final class CloudEventHeaders {
    /** CloudEvents spec version; always {@link #SPEC_VERSION}. */
    public static final String SPECVERSION = "ce_specversion";
    /** Unique id of the event (a UUID), used by consumers to drop duplicates. */
    public static final String ID = "ce_id";
    /** Who wrote the event, as a URI reference, e.g. {@code /sparrow-mesh/gateway}. */
    public static final String SOURCE = "ce_source";
    /** What the event is: {@code org.sparrowmesh.v1.} + the protobuf message name. */
    public static final String TYPE = "ce_type";
    /** When it happened, RFC 3339. */
    public static final String TIME = "ce_time";
    /** Media type of the value. */
    public static final String CONTENT_TYPE = "content-type";

    public static final String SPEC_VERSION = "1.0";
    /** Values are binary protobuf; the message name is in {@link #TYPE}. */
    public static final String PROTOBUF_CONTENT_TYPE = "application/protobuf";
    /** Prefix of every {@link #TYPE} the mesh writes. */
    public static final String TYPE_PREFIX = "org.sparrowmesh.v1.";

    private CloudEventHeaders() {
    }
}
