/**
 * Tokenizers built from GGUF metadata that tokenize and detokenize exactly as llama.cpp does
 * (llama-vocab.cpp and unicode.cpp at commit c392e509).
 *
 * <p>{@link org.sparrowmesh.decoder.engine.tokenizer.Tokenizer#fromGGUF} picks the implementation
 * from {@code tokenizer.ggml.model}: {@link org.sparrowmesh.decoder.engine.tokenizer.SentencePieceTokenizer}
 * ({@code llama}), {@link org.sparrowmesh.decoder.engine.tokenizer.BytePairTokenizer} ({@code gpt2})
 * or {@link org.sparrowmesh.decoder.engine.tokenizer.WordPieceTokenizer} ({@code bert}). The
 * vocabulary, its special tokens and flags live in
 * {@link org.sparrowmesh.decoder.engine.tokenizer.Vocabulary};
 * {@link org.sparrowmesh.decoder.engine.tokenizer.StreamingDetokenizer} turns generated ids into text
 * without ever emitting half a character.
 */
package org.sparrowmesh.decoder.engine.tokenizer;
