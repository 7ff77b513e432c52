/**
 * Choosing the next token from raw logits, and deciding when the text is done.
 *
 * <p>{@link org.sparrowmesh.decoder.engine.sampling.Sampler} applies llama.cpp's common chain
 * (penalties, top-k, top-p, min-p, temperature, seeded draw) to one sequence's logits, reusing its
 * buffers from token to token; {@link org.sparrowmesh.decoder.engine.sampling.TokenHistory} holds
 * the tokens the penalties look at; {@link org.sparrowmesh.decoder.engine.sampling.StopStringMatcher}
 * holds back text that may become a stop string. Max tokens and EOS belong to the decode loop.
 */
package org.sparrowmesh.decoder.engine.sampling;
