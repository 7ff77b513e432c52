package org.sparrowmesh.encoder.embedding;

import org.sparrowmesh.encoder.engine.Pooling;

/**
 * What clients are told about the model that serves them (proto {@code EncoderInfoResponse}).
 *
 * @param name                e.g. {@code sentence-transformers/all-MiniLM-L6-v2}
 * @param dimension           numbers per vector
 * @param maxSequenceLength   most tokens per text, special tokens included
 * @param pooling             token vectors → sentence vector
 * @param normalizedByDefault whether vectors are unit length unless a request says otherwise
 */
public record ModelFacts(String name, int dimension, int maxSequenceLength, Pooling pooling, boolean normalizedByDefault) {
}
