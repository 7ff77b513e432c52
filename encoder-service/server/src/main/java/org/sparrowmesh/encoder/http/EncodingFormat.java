package org.sparrowmesh.encoder.http;

/** How {@code /v1/embeddings} writes a vector (OpenAI's {@code encoding_format}). */
public enum EncodingFormat {
    /** A JSON array of numbers (the default). */
    FLOAT,
    /** Base64 of the little-endian float32 bytes, as the OpenAI Python client asks by default. */
    BASE64
}
