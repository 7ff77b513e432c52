package org.sparrowmesh.encoder.batching;

/**
 * What one model call of a {@link MicroBatcher} did, for metrics.
 *
 * @param items       items in the batch (texts, for the encoder)
 * @param requests    distinct submissions the items came from
 * @param queueNanos  per item, from its submission to the start of the batch
 * @param runNanos    how long the batch function ran
 * @param failed      whether the batch function threw (every request in the batch was failed)
 */
public record BatchReport(int items, int requests, long[] queueNanos, long runNanos, boolean failed) {
}
