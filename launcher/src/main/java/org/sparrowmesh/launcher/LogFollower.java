package org.sparrowmesh.launcher;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code tail -f} over one or more log files: prints each complete line appended since the
 * follower was created, prefixed by the component name when following several. Survives a
 * file that appears late or is truncated (a service restarted by hand with {@code >}).
 */
public final class LogFollower {

    private static final long POLL_MILLIS = 250;

    private final List<Source> sources = new ArrayList<>();
    private final boolean prefixLines;

    private static final class Source {
        final String name;
        final Path file;
        long position;
        final ByteArrayOutputStream partialLine = new ByteArrayOutputStream();

        Source(String name, Path file) {
            this.name = name;
            this.file = file;
            this.position = sizeOf(file);
        }
    }

    /** Follows {@code files} (name to path) from their current ends. */
    public LogFollower(Map<String, Path> files) {
        files.forEach((name, file) -> sources.add(new Source(name, file)));
        this.prefixLines = files.size() > 1;
    }

    /** Polls until interrupted (in practice: until Ctrl-C ends the JVM). */
    public void run(PrintWriter out) throws InterruptedException {
        while (!Thread.currentThread().isInterrupted()) {
            pollOnce(out);
            Thread.sleep(POLL_MILLIS);
        }
    }

    /** Prints the complete lines appended since the last poll. */
    public void pollOnce(PrintWriter out) {
        for (Source source : sources) {
            long size = sizeOf(source.file);
            if (size < source.position) {
                source.position = 0; // truncated or replaced: start again from its beginning
                source.partialLine.reset();
            }
            if (size == source.position) {
                continue;
            }
            byte[] appended = new byte[Math.toIntExact(Math.min(size - source.position, 1 << 20))];
            try (RandomAccessFile in = new RandomAccessFile(source.file.toFile(), "r")) {
                in.seek(source.position);
                in.readFully(appended);
            } catch (IOException e) {
                continue; // rotated away between the size check and the read; next poll sees it
            }
            source.position += appended.length;
            for (byte b : appended) {
                if (b == '\n') {
                    String line = source.partialLine.toString(StandardCharsets.UTF_8);
                    out.println(prefixLines ? source.name + " | " + line : line);
                    source.partialLine.reset();
                } else {
                    source.partialLine.write(b);
                }
            }
        }
        out.flush();
    }

    private static long sizeOf(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }
}
