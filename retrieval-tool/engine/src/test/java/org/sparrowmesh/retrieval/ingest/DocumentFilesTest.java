package org.sparrowmesh.retrieval.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparrowmesh.retrieval.index.SourceDocument;

class DocumentFilesTest {

    @TempDir
    Path folder;

    private List<SourceDocument> readAll() throws Exception {
        List<SourceDocument> documents = new ArrayList<>();
        for (Path file : DocumentFiles.files(folder)) {
            DocumentFiles.read(file, folder, documents::add);
        }
        return documents;
    }

    @Test
    void markdownHtmlTextAndJsonLinesBecomePlainDocuments() throws Exception {
        Files.writeString(folder.resolve("bert.md"), """
                # BERT

                **BERT** is an [encoder](https://example.org) from Google.

                ## Key facts
                - Organisation: Google
                - Year: 2018
                """);
        Files.createDirectories(folder.resolve("web"));
        Files.writeString(folder.resolve("web/page.html"),
                "<html><head><title>T5</title><script>var x = 1;</script></head><body><h1>T5</h1><p>Text-to-text &amp; more.</p></body></html>");
        Files.writeString(folder.resolve("notes.txt"), "Plain notes.");
        Files.writeString(folder.resolve("corpus.jsonl"), """
                {"_id": "d1", "title": "One", "text": "First."}
                {"id": "d2", "text": "Second.", "url": "https://example.org/2"}
                """);
        Files.writeString(folder.resolve("ignored.pdf"), "%PDF");
        List<SourceDocument> documents = readAll();
        assertThat(documents).extracting(SourceDocument::id).containsExactly("bert.md", "d1", "d2", "notes.txt", "web/page.html");
        SourceDocument bert = documents.get(0);
        assertThat(bert.title()).isEqualTo("BERT");
        assertThat(bert.text()).contains("BERT is an encoder from Google.").contains("Organisation: Google.")
                .doesNotContain("**", "](", "#");
        SourceDocument page = documents.get(4);
        assertThat(page.title()).isEqualTo("T5");
        assertThat(page.text()).contains("Text-to-text & more.").doesNotContain("var x");
        assertThat(documents.get(2).url()).isEqualTo("https://example.org/2");
        assertThat(documents.get(3).title()).isEqualTo("notes");
    }

    @Test
    void aJsonLineThatIsNotADocumentIsNamed() throws Exception {
        Files.writeString(folder.resolve("bad.jsonl"), "{\"_id\": \"ok\", \"text\": \"fine\"}\n{\"title\": \"no id\"}\n");
        assertThatThrownBy(this::readAll).hasMessageContaining("line 2");
    }
}
