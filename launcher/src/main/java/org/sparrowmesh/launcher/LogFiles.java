package org.sparrowmesh.launcher;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** Reading the end of a log file without reading all of it. */
public final class LogFiles {

    private LogFiles() {
    }

    /** The last {@code count} lines of {@code file}; empty when it does not exist. */
    public static List<String> tail(Path file, int count) {
        if (count <= 0 || !Files.isRegularFile(file)) {
            return List.of();
        }
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long length = in.length();
            // Read a growing window from the end until it holds enough lines (or the whole file).
            long window = 16 * 1024;
            while (true) {
                long start = Math.max(0, length - window);
                byte[] bytes = new byte[Math.toIntExact(length - start)];
                in.seek(start);
                in.readFully(bytes);
                String text = new String(bytes, StandardCharsets.UTF_8);
                List<String> lines = Arrays.asList(text.split("\r?\n", -1));
                if (!lines.isEmpty() && lines.getLast().isEmpty()) {
                    lines = lines.subList(0, lines.size() - 1); // the file ends with a newline
                }
                if (start > 0) {
                    lines = lines.subList(1, lines.size()); // the first line is cut by the window
                }
                if (lines.size() >= count || start == 0) {
                    return List.copyOf(lines.subList(Math.max(0, lines.size() - count), lines.size()));
                }
                window *= 4;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
