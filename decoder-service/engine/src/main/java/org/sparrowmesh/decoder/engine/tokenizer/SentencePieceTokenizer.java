package org.sparrowmesh.decoder.engine.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.PriorityQueue;

import org.sparrowmesh.decoder.engine.tokenizer.SpecialTokenSplitter.Fragment;

/**
 * The SentencePiece-style tokenizer of {@code tokenizer.ggml.model = llama} (llama.cpp's
 * {@code llm_tokenizer_spm}): spaces become {@code ▁}, a {@code ▁} is put in front of the text
 * (and after every special token), the text starts as one symbol per character, and the adjacent
 * pair whose concatenation is the highest-scoring entry is merged until no pair is an entry
 * (equal scores: the leftmost pair first). A final symbol that is not an entry falls back to its
 * UTF-8 bytes as {@code <0xNN>} tokens.
 */
public final class SentencePieceTokenizer extends VocabularyTokenizer {

    private static final char SPACE_SYMBOL = '\u2581'; // ▁

    SentencePieceTokenizer(Vocabulary vocabulary) {
        super(vocabulary);
        if (vocabulary.model() != TokenizerModel.SENTENCE_PIECE) {
            throw new IllegalArgumentException("a SentencePiece tokenizer needs a llama vocabulary, not " + vocabulary.model());
        }
    }

    @Override
    void encode(List<Fragment> fragments, boolean addSpecial, IntList out) {
        boolean addBos = addSpecial && vocabulary.addBos();
        if (addBos) {
            out.add(requireSpecial(vocabulary.bosId(), "BOS"));
        }
        boolean afterSpecial = true; // the text start counts as "after a special token": it gets the leading space
        for (Fragment fragment : fragments) {
            if (fragment.isText()) {
                String text = vocabulary.addSpacePrefix() && afterSpecial ? " " + fragment.text() : fragment.text();
                tokenize(text.replace(' ', SPACE_SYMBOL), out);
                afterSpecial = false;
            } else {
                out.add(fragment.token());
                afterSpecial = true;
            }
        }
        if (addSpecial && vocabulary.addEos()) {
            out.add(requireSpecial(vocabulary.eosId(), "EOS"));
        }
    }

    /** One SentencePiece session over an escaped text. */
    private void tokenize(String text, IntList out) {
        int n = text.codePointCount(0, text.length());
        if (n == 0) {
            return;
        }
        // symbols: one per code point, as a linked list over [start, start + length) of the text
        int[] start = new int[n];
        int[] length = new int[n];
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0, offset = 0; i < n; i++) {
            int chars = Character.charCount(text.codePointAt(offset));
            start[i] = offset;
            length[i] = chars;
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
            offset += chars;
        }

        // highest score first; equal scores: leftmost first
        // (compared as floats, not with Float.compare, so that -0.0 and 0.0 tie as in C++)
        PriorityQueue<Bigram> queue = new PriorityQueue<>(Math.max(1, n), (a, b) ->
                a.score > b.score ? -1 : a.score < b.score ? 1 : Integer.compare(a.left, b.left));
        for (int i = 1; i < n; i++) {
            offer(queue, text, start, length, i - 1, i);
        }
        while (!queue.isEmpty()) {
            Bigram bigram = queue.poll();
            int left = bigram.left;
            int right = bigram.right;
            // stale when either side was merged away or has grown since the pair was queued
            if (length[left] == 0 || length[right] == 0 || length[left] + length[right] != bigram.size) {
                continue;
            }
            length[left] += length[right];
            length[right] = 0;
            next[left] = next[right];
            if (next[right] >= 0) {
                prev[next[right]] = left;
            }
            offer(queue, text, start, length, prev[left], left);
            offer(queue, text, start, length, left, next[left]);
        }

        for (int i = 0; i != -1; i = next[i]) {
            String symbol = text.substring(start[i], start[i] + length[i]);
            int id = vocabulary.id(symbol);
            if (id != Vocabulary.NO_TOKEN) {
                out.add(id);
            } else {
                // llama.cpp would first try to undo merges here, but merged symbols are always
                // entries, so only single characters reach this point: byte fallback
                for (byte b : symbol.getBytes(StandardCharsets.UTF_8)) {
                    out.add(vocabulary.byteToken(b));
                }
            }
        }
    }

    private void offer(PriorityQueue<Bigram> queue, String text, int[] start, int[] length, int left, int right) {
        if (left == -1 || right == -1) {
            return;
        }
        int size = length[left] + length[right];
        int id = vocabulary.id(text.substring(start[left], start[left] + size));
        if (id != Vocabulary.NO_TOKEN) {
            queue.add(new Bigram(left, right, vocabulary.score(id), size));
        }
    }

    private record Bigram(int left, int right, float score, int size) {
    }
}
