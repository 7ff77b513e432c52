package org.sparrowmesh.decoder.engine.tokenizer;

import java.util.List;
import java.util.PriorityQueue;

import org.sparrowmesh.decoder.engine.tokenizer.SpecialTokenSplitter.Fragment;

/**
 * The byte-level BPE tokenizer of {@code tokenizer.ggml.model = gpt2} (llama.cpp's
 * {@code llm_tokenizer_bpe}): the pre-tokenizer of {@code tokenizer.ggml.pre} splits the text
 * into words, each word's UTF-8 bytes are written in GPT-2's byte alphabet ({@code Ġ} for a
 * space), and within a word the adjacent pair with the lowest merge rank is merged until no pair
 * has a rank (equal ranks: the leftmost first). Llama-3-style vocabularies take a word that is
 * itself an entry without merging.
 */
public final class BytePairTokenizer extends VocabularyTokenizer {

    private final PreTokenizer preTokenizer;

    BytePairTokenizer(Vocabulary vocabulary) {
        super(vocabulary);
        if (vocabulary.model() != TokenizerModel.BYTE_PAIR) {
            throw new IllegalArgumentException("a byte-pair tokenizer needs a gpt2 vocabulary, not " + vocabulary.model());
        }
        this.preTokenizer = PreTokenizer.forName(vocabulary.preTokenizer());
    }

    /** The words the pre-tokenizer splits {@code text} into, before byte encoding. */
    public List<String> preTokenize(String text) {
        return preTokenizer.split(wellFormed(text));
    }

    @Override
    void encode(List<Fragment> fragments, boolean addSpecial, IntList out) {
        if (addSpecial && vocabulary.addBos()) {
            out.add(requireSpecial(vocabulary.bosId(), "BOS"));
        }
        for (Fragment fragment : fragments) {
            if (fragment.isText()) {
                for (String word : preTokenizer.split(fragment.text())) {
                    tokenizeWord(ByteLevelEncoding.encode(word), out);
                }
            } else {
                out.add(fragment.token());
            }
        }
        if (addSpecial && vocabulary.addEos()) {
            out.add(requireSpecial(vocabulary.eosId(), "EOS"));
        }
    }

    /** Merges within one byte-encoded word; every char of it is one byte, so one starting symbol. */
    private void tokenizeWord(String word, IntList out) {
        if (vocabulary.ignoreMerges()) {
            int id = vocabulary.id(word);
            if (id != Vocabulary.NO_TOKEN) {
                out.add(id);
                return;
            }
        }
        int n = word.length();
        int[] length = new int[n];
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0; i < n; i++) {
            length[i] = 1;
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        // symbol i always starts at char i: symbols only grow to the right

        // lowest rank first; equal ranks: leftmost first
        PriorityQueue<Bigram> queue = new PriorityQueue<>(Math.max(1, n), (a, b) ->
                a.rank != b.rank ? Integer.compare(a.rank, b.rank) : Integer.compare(a.left, b.left));
        for (int i = 1; i < n; i++) {
            offer(queue, word, length, i - 1, i);
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
            offer(queue, word, length, prev[left], left);
            offer(queue, word, length, left, next[left]);
        }

        for (int i = 0; i != -1; i = next[i]) {
            String symbol = word.substring(i, i + length[i]);
            int id = vocabulary.id(symbol);
            if (id != Vocabulary.NO_TOKEN) {
                out.add(id);
                continue;
            }
            // llama.cpp then looks up each single byte of the symbol's UTF-8; only ASCII bytes can be entries
            for (int c = 0; c < symbol.length(); c++) {
                char ch = symbol.charAt(c);
                int single = ch < 0x80 ? vocabulary.id(String.valueOf(ch)) : Vocabulary.NO_TOKEN;
                if (single != Vocabulary.NO_TOKEN) {
                    out.add(single);
                }
            }
        }
    }

    private void offer(PriorityQueue<Bigram> queue, String word, int[] length, int left, int right) {
        if (left == -1 || right == -1) {
            return;
        }
        int rank = vocabulary.mergeRank(word.substring(left, left + length[left]), word.substring(right, right + length[right]));
        if (rank >= 0) {
            queue.add(new Bigram(left, right, rank, length[left] + length[right]));
        }
    }

    private record Bigram(int left, int right, int rank, int size) {
    }
}
