package org.sparrowmesh.retrieval.server.grpc;

import java.util.Map;

import org.sparrowmesh.proto.v1.Document;
import org.sparrowmesh.retrieval.index.SourceDocument;

/** The limits retrieval.proto documents for a Document, shared by Ingest and the mesh.docs consumer. */
public final class DocumentRules {

    private DocumentRules() {
    }

    /** Why {@code document} cannot be indexed, naming the field; null when it can. */
    public static String violation(Document document) {
        int idLength = document.getDocumentId().length();
        if (idLength < 1 || idLength > 512) {
            return idLength == 0 ? "document_id is empty" : "document_id must be at most 512 characters, got " + idLength;
        }
        if (document.getText().isBlank()) {
            return "text is empty";
        }
        if (document.getText().length() > 1_000_000) {
            return "text must be at most 1,000,000 characters, got " + document.getText().length();
        }
        if (document.getTitle().length() > 1_000) {
            return "title must be at most 1,000 characters";
        }
        if (document.getSource().length() > 1_000) {
            return "source must be at most 1,000 characters";
        }
        if (document.getUrl().length() > 2_048) {
            return "url must be at most 2,048 characters";
        }
        if (document.getMetadataCount() > 64) {
            return "metadata holds at most 64 entries, got " + document.getMetadataCount();
        }
        for (Map.Entry<String, String> e : document.getMetadataMap().entrySet()) {
            if (e.getKey().length() > 128 || e.getValue().length() > 1_024) {
                return "metadata entry '" + e.getKey() + "' is too long (keys 128, values 1,024 characters)";
            }
        }
        return null;
    }

    public static SourceDocument toSource(Document document) {
        return new SourceDocument(document.getDocumentId(), document.getTitle(), document.getText(), document.getSource(),
                document.getUrl(), document.getMetadataMap());
    }
}
