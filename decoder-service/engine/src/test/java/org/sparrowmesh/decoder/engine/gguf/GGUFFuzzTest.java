package org.sparrowmesh.decoder.engine.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.sparrowmesh.decoder.engine.SharedTestData;
import org.sparrowmesh.decoder.engine.tensor.FloatTensor;

/**
 * Mutates the reference model thousands of times (seeded) and parses each mutant from a heap
 * segment: it must either load cleanly — and then every tensor view reads its first and last
 * element — or fail with a {@link GGUFFormatException} (or, for a tensor whose type became one
 * the engine does not decode, the view's {@link UnsupportedOperationException}). Any other
 * exception, an Error, or a hang fails the test with the seed of the mutant.
 *
 * <p>Most mutations hit the header (metadata and tensor infos, the first ~9 KB), where lengths,
 * counts and types live; some hit the data or truncate anywhere. {@code -Dfuzz.seed} and
 * {@code -Dfuzz.runs} change the campaign; a failure prints the one seed that replays it
 * ({@code -Dfuzz.replay}).
 */
class GGUFFuzzTest {

    private static final int[] U32_VALUES = {0, 1, 2, 3, 4, 5, 8, 9, 12, 13, 31, 255, 0xFFFF, 0x7FFFFFFF, 0x80000000, -1};
    private static final long[] U64_VALUES = {0, 1, 2, 31, 32, 0xFFFF, 1L << 24, 0x7FFFFFFFL, 1L << 31, 1L << 32,
            1L << 40, 1L << 62, 1L << 63, Long.MAX_VALUE, -1, -32};

    private enum Outcome { LOADED, FORMAT_ERROR, UNSUPPORTED_TYPE }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void mutantsOfTheReferenceModelLoadCleanlyOrFailWithAFormatError() throws IOException {
        byte[] original = Files.readAllBytes(SharedTestData.stories260K());
        int headerEnd;
        int tensorInfosStart;
        TensorFields fields;
        try (GGUFFile gguf = GGUFFile.open(SharedTestData.stories260K())) {
            headerEnd = (int) gguf.dataOffset();
            byte[] firstName = gguf.tensors().keySet().iterator().next().getBytes(StandardCharsets.UTF_8);
            tensorInfosStart = indexOf(original, firstName) - 8;
            fields = TensorFields.of(original, tensorInfosStart, gguf.tensors().size());
        }
        long seed = Long.getLong("fuzz.seed", 20250220L);
        int runs = Integer.getInteger("fuzz.runs", 5000);
        Long replay = Long.getLong("fuzz.replay");

        Map<Outcome, Integer> outcomes = new TreeMap<>();
        Map<String, Integer> problems = new TreeMap<>();
        Random campaign = new Random(seed);
        byte[] work = original.clone();
        long start = System.nanoTime();
        for (int run = 0; run < (replay != null ? 1 : runs); run++) {
            long mutantSeed = replay != null ? replay : campaign.nextLong();
            Mutant mutant = mutate(original, work, headerEnd, tensorInfosStart, fields, new Random(mutantSeed));
            try {
                Outcome outcome = check(mutant, problems);
                outcomes.merge(outcome, 1, Integer::sum);
            } catch (Throwable t) {
                throw new AssertionError("mutant " + run + " of campaign seed " + seed + " (" + mutant.description
                        + ") threw " + t + "; replay with -Dfuzz.replay=" + mutantSeed, t);
            } finally {
                mutant.restore(original, work);
            }
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("GGUF fuzz: %d mutants of %s (seed %d) in %d ms: %s%n  format errors by problem: %s%n",
                replay != null ? 1 : runs, SharedTestData.stories260K().getFileName(), seed, millis, outcomes, problems);
        if (replay == null) {
            assertThat(outcomes.getOrDefault(Outcome.LOADED, 0)).as("some mutants still load").isPositive();
            assertThat(outcomes.getOrDefault(Outcome.FORMAT_ERROR, 0)).as("most header mutants are refused")
                    .isGreaterThan(runs / 3);
        }
    }

    /** Parses the mutant and reads every tensor view at both ends. */
    private static Outcome check(Mutant mutant, Map<String, Integer> problems) {
        MemorySegment bytes = MemorySegment.ofArray(mutant.bytes).asSlice(0, mutant.length);
        try (Arena arena = Arena.ofConfined()) {
            GGUFFile gguf;
            try {
                gguf = GGUFParser.parse(Path.of("mutant.gguf"), bytes, arena);
            } catch (GGUFFormatException e) {
                assertThat(e.offset()).as("offset of " + e.getMessage()).isBetween(0L, mutant.length);
                assertThat(e.getMessage()).endsWith(" at offset " + e.offset());
                problems.merge(kind(e.getMessage()), 1, Integer::sum);
                return Outcome.FORMAT_ERROR;
            }
            Outcome outcome = Outcome.LOADED;
            float[] x = new float[512];
            Arrays.fill(x, 1f);
            for (TensorInfo t : gguf.tensors().values()) {
                FloatTensor view;
                try {
                    view = FloatTensor.of(t);
                } catch (UnsupportedOperationException e) {
                    assertThat(e.getMessage()).contains(t.type().name());
                    outcome = Outcome.UNSUPPORTED_TYPE;
                    continue;
                }
                assertThat(view.size()).isEqualTo(t.elementCount());
                view.getFloat(0);
                view.getFloat(view.size() - 1);
                int n = (int) Math.min(view.size(), x.length);
                view.dot(view.size() - n, x, 0, n);
            }
            return outcome;
        }
    }

    private static final String[] PROBLEMS = {"bad magic", "unsupported GGUF version", "duplicate", "truncated",
            "cannot fit", "claims", "unknown metadata value type", "unknown ggml type", "dimensions", "dimension",
            "more elements", "more bytes", "block size", "general.alignment", "multiple of the alignment", "beyond the end", "data section", "bool", "nests"};

    /** The kind of problem a format error names, to summarise what the campaign hit. */
    private static String kind(String message) {
        for (String problem : PROBLEMS) {
            if (message.contains(problem)) {
                return problem;
            }
        }
        return message;
    }

    /** Offsets of the fields of every tensor info in the original file, for targeted edits. */
    private record TensorFields(int[] dimensionCounts, int[] dimensions, int[] types, int[] offsets) {

        static TensorFields of(byte[] file, int start, int count) {
            ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
            int[] dimensionCounts = new int[count];
            int[] types = new int[count];
            int[] offsets = new int[count];
            int[] dimensions = new int[count * 4];
            int dims = 0;
            int at = start;
            for (int i = 0; i < count; i++) {
                at += 8 + (int) b.getLong(at);
                dimensionCounts[i] = at;
                int n = b.getInt(at);
                at += 4;
                for (int d = 0; d < n; d++, at += 8) {
                    dimensions[dims++] = at;
                }
                types[i] = at;
                offsets[i] = at + 4;
                at += 12;
            }
            return new TensorFields(dimensionCounts, Arrays.copyOf(dimensions, dims), types, offsets);
        }

        int pick(Random random, int[] fields) {
            return fields[random.nextInt(fields.length)];
        }
    }

    /** A mutated copy: {@code bytes[0, length)}, and how to undo it in the shared work array. */
    private static final class Mutant {
        byte[] bytes;
        long length;
        String description = "";
        int touchedFrom = Integer.MAX_VALUE;
        int touchedTo = -1;

        void touch(int from, int to) {
            touchedFrom = Math.min(touchedFrom, from);
            touchedTo = Math.max(touchedTo, to);
        }

        void restore(byte[] original, byte[] work) {
            if (bytes == work && touchedTo >= touchedFrom) {
                System.arraycopy(original, touchedFrom, work, touchedFrom, touchedTo - touchedFrom);
            }
        }
    }

    /** One to three edits, mostly in the header; the work array is edited in place (and restored after). */
    private static Mutant mutate(byte[] original, byte[] work, int headerEnd, int tensorInfosStart,
            TensorFields fields, Random random) {
        Mutant m = new Mutant();
        m.bytes = work;
        m.length = original.length;
        int edits = 1 + (random.nextInt(4) == 0 ? random.nextInt(3) : 0);
        StringBuilder what = new StringBuilder();
        for (int e = 0; e < edits; e++) {
            // where: the tensor infos (a third), anywhere in the header (half), anywhere at all (the rest)
            int roll = random.nextInt(6);
            int limit = (int) Math.min(m.length, m.bytes.length);
            int at = roll < 2 ? tensorInfosStart + random.nextInt(headerEnd - tensorInfosStart)
                    : roll < 5 ? random.nextInt(headerEnd) : random.nextInt(limit);
            if (limit < 16) {
                continue; // an earlier edit truncated the file to almost nothing
            }
            at = Math.min(at, limit - 1); // an earlier edit may have truncated below the header's end
            switch (random.nextInt(10)) {
                case 0, 1 -> { // flip a few bytes
                    int n = 1 + random.nextInt(4);
                    for (int i = 0; i < n && at + i < limit; i++) {
                        m.bytes[at + i] ^= (byte) (1 + random.nextInt(255));
                    }
                    m.touch(at, Math.min(at + n, limit));
                    what.append("flip ").append(n).append(" bytes at ").append(at);
                }
                case 2 -> { // an extreme byte
                    byte[] extremes = {0, (byte) 0xFF, 0x7F, (byte) 0x80};
                    m.bytes[at] = extremes[random.nextInt(extremes.length)];
                    m.touch(at, at + 1);
                    what.append("byte ").append(m.bytes[at]).append(" at ").append(at);
                }
                case 3, 4 -> { // an extreme u32 (a type, a dimension count, half of a length)
                    at = Math.min(at, limit - 4);
                    int v = random.nextInt(4) == 0 ? random.nextInt() : U32_VALUES[random.nextInt(U32_VALUES.length)];
                    ByteBuffer.wrap(m.bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(at, v);
                    m.touch(at, at + 4);
                    what.append("u32 ").append(Integer.toUnsignedString(v)).append(" at ").append(at);
                }
                case 5, 6 -> { // an extreme u64 (a count, a length, a dimension, an offset)
                    at = Math.min(at, limit - 8);
                    long v = random.nextInt(4) == 0 ? random.nextLong() : U64_VALUES[random.nextInt(U64_VALUES.length)];
                    ByteBuffer.wrap(m.bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(at, v);
                    m.touch(at, at + 8);
                    what.append("u64 ").append(Long.toUnsignedString(v)).append(" at ").append(at);
                }
                case 7, 8 -> { // a field of a tensor info, once its place is known (the file is not shifted)
                    if (m.bytes != work) {
                        continue;
                    }
                    ByteBuffer b = ByteBuffer.wrap(m.bytes).order(ByteOrder.LITTLE_ENDIAN);
                    switch (random.nextInt(4)) {
                        case 0 -> { // any ggml type id, known or not, supported or not
                            at = fields.pick(random, fields.types());
                            int type = random.nextInt(4) == 0 ? U32_VALUES[random.nextInt(U32_VALUES.length)] : random.nextInt(40);
                            b.putInt(at, type);
                            m.touch(at, at + 4);
                            what.append("tensor type ").append(Integer.toUnsignedString(type)).append(" at ").append(at);
                        }
                        case 1 -> {
                            at = fields.pick(random, fields.dimensionCounts());
                            int count = random.nextInt(7) - 1;
                            b.putInt(at, count);
                            m.touch(at, at + 4);
                            what.append("dimension count ").append(count).append(" at ").append(at);
                        }
                        case 2 -> {
                            at = fields.pick(random, fields.dimensions());
                            long dimension = random.nextBoolean() ? U64_VALUES[random.nextInt(U64_VALUES.length)]
                                    : b.getLong(at) * (1 + random.nextInt(64));
                            b.putLong(at, dimension);
                            m.touch(at, at + 8);
                            what.append("dimension ").append(Long.toUnsignedString(dimension)).append(" at ").append(at);
                        }
                        default -> {
                            at = fields.pick(random, fields.offsets());
                            long offset = random.nextBoolean() ? U64_VALUES[random.nextInt(U64_VALUES.length)]
                                    : 32L * random.nextInt(original.length / 32 + 64);
                            b.putLong(at, offset);
                            m.touch(at, at + 8);
                            what.append("tensor data offset ").append(Long.toUnsignedString(offset)).append(" at ").append(at);
                        }
                    }
                }
                default -> { // truncate, mostly inside or just past the header; or shift the rest by a few bytes
                    if (random.nextInt(4) == 0) {
                        // insert (shift > 0) or delete (shift < 0) a few bytes: every later field moves
                        int shift = random.nextInt(9) - 4;
                        int deleted = Math.min(Math.max(0, -shift), limit - at);
                        int inserted = Math.max(0, shift);
                        byte[] shifted = new byte[limit - deleted + inserted];
                        System.arraycopy(m.bytes, 0, shifted, 0, at);
                        for (int i = 0; i < inserted; i++) {
                            shifted[at + i] = (byte) random.nextInt(256);
                        }
                        System.arraycopy(m.bytes, at + deleted, shifted, at + inserted, limit - at - deleted);
                        m.bytes = shifted;
                        m.length = shifted.length;
                        what.append("shift by ").append(shift).append(" at ").append(at);
                    } else {
                        m.length = random.nextBoolean() ? at : Math.min(m.length, headerEnd + random.nextInt(4096));
                        what.append("truncate at ").append(m.length);
                    }
                }
            }
            what.append(e + 1 < edits ? ", " : "");
        }
        m.description = what.toString();
        return m;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalStateException("not found");
    }
}
