package org.sparrowmesh.gateway.turn;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.sparrowmesh.proto.v1.Candidate;
import org.sparrowmesh.proto.v1.CandidateOrigin;
import org.sparrowmesh.proto.v1.ChatMessage;
import org.sparrowmesh.proto.v1.Role;
import org.sparrowmesh.proto.v1.Snippet;

/**
 * The decoder's input for a turn: the system prompt (with the evidence, numbered, when the
 * samples are conditioned on it), the conversation so far and the user's words — rendered by the
 * decoder with the model's own chat template. And which snippets an answer cites.
 */
final class PromptBuilder {

    /** A generated answer cites a snippet whose content words it shares at least this much. */
    private static final double CITATION_OVERLAP = 0.3;

    private PromptBuilder() {
    }

    static List<ChatMessage> messages(String systemPrompt, List<ChatMessage> history, String question, List<Snippet> evidence) {
        StringBuilder system = new StringBuilder(systemPrompt);
        if (!evidence.isEmpty()) {
            system.append("\nAnswer from this evidence:");
            for (int i = 0; i < evidence.size(); i++) {
                Snippet s = evidence.get(i);
                system.append("\n[").append(i + 1).append("] ").append(s.getTitle().isEmpty() ? "" : s.getTitle() + ": ")
                        .append(s.getText());
            }
        }
        List<ChatMessage> messages = new ArrayList<>();
        messages.add(ChatMessage.newBuilder().setRole(Role.ROLE_SYSTEM).setContent(system.toString()).build());
        messages.addAll(history);
        messages.add(ChatMessage.newBuilder().setRole(Role.ROLE_USER).setContent(question).build());
        return messages;
    }

    /** The snippets an answer rests on: itself for a snippet candidate; for generated text, the snippets it overlaps. */
    static List<Snippet> cited(Candidate answer, List<Snippet> evidence) {
        if (answer.getOrigin() == CandidateOrigin.CANDIDATE_ORIGIN_SEARCH_SNIPPET) {
            return answer.getEvidenceIndicesList().stream().filter(i -> i < evidence.size()).map(evidence::get).toList();
        }
        Set<String> words = contentWords(answer.getText());
        List<Snippet> cited = new ArrayList<>();
        for (Snippet snippet : evidence) {
            if (overlap(words, contentWords(snippet.getText())) >= CITATION_OVERLAP) {
                cited.add(snippet);
            }
        }
        return cited;
    }

    static Set<String> contentWords(String text) {
        Set<String> words = new HashSet<>();
        for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
            if (w.length() > 3) {
                words.add(w);
            }
        }
        return words;
    }

    /** Share of {@code a} found in {@code b}. */
    static double overlap(Set<String> a, Set<String> b) {
        if (a.isEmpty()) {
            return 0;
        }
        return a.stream().filter(b::contains).count() / (double) a.size();
    }
}
