package org.sparrowmesh.encoder.batching;

/**
 * Counters of a {@link MicroBatcher} since it started.
 *
 * @param batches         model calls run
 * @param items           items embedded in them
 * @param mergedBatches   batches that held items of more than one request
 * @param largestRequests most requests ever served by one batch
 * @param queued          items waiting right now
 */
public record BatcherStats(long batches, long items, long mergedBatches, int largestRequests, int queued) {
}
