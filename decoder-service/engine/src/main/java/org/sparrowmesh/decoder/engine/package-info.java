/**
 * The decoder engine: plain Java, no Quarkus or gRPC (the module has neither on its classpath).
 *
 * <p>Planned packages, one idea each (issues #3 and #4): {@code gguf} (memory-mapped GGUF reader
 * and writer), {@code tokenizer}, {@code model} (the LLaMA forward pass), {@code tensor} and
 * {@code kernels} (Vector API with a scalar reference beside each), {@code sampling},
 * {@code scheduler} (continuous batching), {@code cuda} (issue #6).
 */
package org.sparrowmesh.decoder.engine;
