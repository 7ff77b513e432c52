package org.sparrowmesh.retrieval.ingest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.jsoup.Jsoup;
import org.sparrowmesh.retrieval.index.SourceDocument;

/**
 * Documents from files: BEIR-style JSONL ({@code _id}/{@code id}, {@code title}, {@code text},
 * optional {@code source}, {@code url}; gzipped too), Markdown (title from the first {@code #}
 * heading, markup removed), plain text (title from the file name) and HTML (text extracted by
 * jsoup). A folder is read recursively, files in name order. The id of a file's document is its
 * path relative to the folder given.
 */
public final class DocumentFiles {

    private static final ObjectMapper JSON = new ObjectMapper();

    private DocumentFiles() {
    }

    /** Whether {@code file} is of a kind this reader takes. */
    public static boolean readable(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".jsonl") || name.endsWith(".jsonl.gz") || name.endsWith(".md") || name.endsWith(".txt")
                || name.endsWith(".html") || name.endsWith(".htm");
    }

    /** Every readable file under {@code path} (or the file itself). */
    public static List<Path> files(Path path) throws IOException {
        if (Files.isRegularFile(path)) {
            return List.of(path);
        }
        if (!Files.isDirectory(path)) {
            throw new IOException("no such file or folder: " + path);
        }
        try (Stream<Path> walk = Files.walk(path)) {
            return walk.filter(Files::isRegularFile).filter(DocumentFiles::readable).sorted().toList();
        }
    }

    /**
     * Reads the documents of one file, handing them to {@code consumer} one by one.
     *
     * @param root the folder ids are relative to
     * @throws IllegalArgumentException for a JSONL line that is not a document (naming the line)
     */
    public static void read(Path file, Path root, Consumer<SourceDocument> consumer) throws IOException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        String id = (Files.isDirectory(root) ? root.relativize(file) : file.getFileName()).toString();
        String source = file.toString();
        if (name.endsWith(".jsonl") || name.endsWith(".jsonl.gz")) {
            readJsonLines(file, consumer);
        } else if (name.endsWith(".md")) {
            consumer.accept(markdown(id, Files.readString(file), source));
        } else if (name.endsWith(".html") || name.endsWith(".htm")) {
            var html = Jsoup.parse(file.toFile(), null);
            consumer.accept(SourceDocument.of(id, html.title(), html.body() == null ? "" : html.body().wholeText().strip()
                    .replaceAll("[ \\t\\x0B\\f\\r]+", " ").replaceAll("\\n\\s*\\n+", "\n\n"), source));
        } else {
            String title = file.getFileName().toString().replaceFirst("\\.[^.]+$", "");
            consumer.accept(SourceDocument.of(id, title, Files.readString(file), source));
        }
    }

    /** A Markdown document as plain text: the first heading is the title; headings, emphasis and link markup go. */
    public static SourceDocument markdown(String id, String markdown, String source) {
        String title = "";
        List<String> lines = new ArrayList<>();
        for (String line : markdown.split("\n", -1)) {
            String stripped = line.strip();
            if (title.isEmpty() && stripped.startsWith("# ")) {
                title = stripped.substring(2).strip();
                continue;
            }
            String text = stripped.replaceFirst("^#{1,6}\\s+", "")   // headings
                    .replaceFirst("^[-*+]\\s+", "")                       // bullets
                    .replaceAll("\\[([^]]*)]\\([^)]*\\)", "$1")          // [text](url)
                    .replaceAll("(\\*\\*|__|\\*|`)", "");                 // emphasis, code
            // a bullet gets a full stop so that sentence splitting keeps items apart
            boolean item = stripped.matches("^[-*+]\\s+.*");
            lines.add(item && !text.isEmpty() && !text.matches(".*[.!?:;]$") ? text + "." : text);
        }
        return SourceDocument.of(id, title, String.join("\n", lines).strip(), source);
    }

    private static void readJsonLines(Path file, Consumer<SourceDocument> consumer) throws IOException {
        try (InputStream raw = Files.newInputStream(file);
                InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node;
                try {
                    node = JSON.readTree(line);
                } catch (IOException e) {
                    throw new IllegalArgumentException(file + " line " + number + " is not JSON: " + e.getMessage());
                }
                String id = node.has("_id") ? node.get("_id").asText() : node.path("id").asText("");
                if (id.isEmpty() || !node.hasNonNull("text")) {
                    throw new IllegalArgumentException(file + " line " + number + " needs \"_id\" (or \"id\") and \"text\"");
                }
                consumer.accept(new SourceDocument(id, node.path("title").asText(""), node.get("text").asText(),
                        node.path("source").asText(file.getFileName().toString()), node.path("url").asText(""), null));
            }
        }
    }
}
