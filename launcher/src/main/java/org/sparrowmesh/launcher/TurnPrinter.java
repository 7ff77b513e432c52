package org.sparrowmesh.launcher;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.sparrowmesh.proto.v1.Answer;
import org.sparrowmesh.proto.v1.Candidate;
import org.sparrowmesh.proto.v1.CandidateOrigin;
import org.sparrowmesh.proto.v1.CandidateScore;
import org.sparrowmesh.proto.v1.Evidence;
import org.sparrowmesh.proto.v1.Ranking;
import org.sparrowmesh.proto.v1.RuleViolation;
import org.sparrowmesh.proto.v1.Snippet;
import org.sparrowmesh.proto.v1.StageState;
import org.sparrowmesh.proto.v1.StageStatus;
import org.sparrowmesh.proto.v1.TurnEvent;
import org.sparrowmesh.proto.v1.TurnStatus;

/**
 * Shows a turn's events to a person as they arrive (evidence, candidates, the winner and why,
 * the stages), or collects them into the one JSON document of {@code --json} (DESIGN §5).
 */
final class TurnPrinter {

    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean json;
    private Evidence evidence = Evidence.getDefaultInstance();
    private final Map<Integer, Candidate> candidates = new LinkedHashMap<>();
    private Ranking ranking;
    private Answer answer;
    private TurnStatus status;
    private String conversationId = "";
    private String turnId = "";

    TurnPrinter(PrintWriter out, PrintWriter err, boolean json) {
        this.out = out;
        this.err = err;
        this.json = json;
    }

    String conversationId() {
        return conversationId;
    }

    void accept(TurnEvent event) {
        conversationId = event.getConversationId();
        turnId = event.getTurnId();
        switch (event.getEventCase()) {
            case EVIDENCE -> {
                evidence = event.getEvidence();
                if (!json) {
                    out.println("Evidence (" + mode(evidence) + "):");
                    for (int i = 0; i < evidence.getSnippetsCount(); i++) {
                        Snippet s = evidence.getSnippets(i);
                        out.printf("  [%d] %s — %s%n      (%s)%n", i + 1, s.getTitle(), s.getText(), source(s));
                    }
                    out.flush();
                }
            }
            case CANDIDATE_DONE -> {
                Candidate c = event.getCandidateDone().getCandidate();
                candidates.put(c.getIndex(), c);
                if (!json) {
                    err.printf("  candidate #%d (%s) ready%n", c.getIndex(), origin(c.getOrigin()));
                    err.flush();
                }
            }
            case RANKING -> ranking = event.getRanking();
            case ANSWER -> answer = event.getAnswer();
            case STATUS -> status = event.getStatus();
            default -> {
                // deltas: the person sees whole candidates; newer event kinds are skipped
            }
        }
    }

    /** After the last event: the candidates with their rewards, the answer and why it won, the stages. */
    void finish() {
        if (json) {
            out.println(Json.write(document()));
            out.flush();
            return;
        }
        if (ranking != null) {
            out.println("Candidates (" + ranking.getScorerName() + " " + ranking.getScorerVersion() + "):");
            for (CandidateScore score : ranking.getScoresList()) {
                Candidate c = candidates.get(score.getCandidateIndex());
                out.printf("  #%d %-24s reward %7.3f  %s%n", score.getCandidateIndex(),
                        c == null ? "" : origin(c.getOrigin()), score.getReward(), c == null ? "" : oneLine(c.getText()));
                for (RuleViolation v : score.getRuleViolationsList()) {
                    out.printf("       breaks %s%s: %s%n", v.getRule(), v.getDisqualifying() ? " (disqualifying)" : "",
                            v.getDescription());
                }
            }
        }
        if (answer != null) {
            out.printf("%nAnswer (candidate #%d, %s, reward %.3f):%n  %s%n", answer.getCandidateIndex(),
                    origin(answer.getOrigin()), answer.getReward(), answer.getText().strip());
            List<String> sources = new ArrayList<>();
            for (Snippet cited : answer.getCitedSnippetsList()) {
                int number = evidence.getSnippetsList().indexOf(cited) + 1;
                sources.add((number > 0 ? "[" + number + "] " : "") + cited.getTitle() + " (" + source(cited) + ")");
            }
            out.println(sources.isEmpty() ? "  Sources: none cited" : "  Sources: " + String.join("; ", sources));
        } else {
            out.println("\nNo answer: no candidate could be made.");
        }
        if (status != null) {
            out.println("Status: " + state(status.getOverallState()) + String.format(Locale.ROOT, " in %.2f s",
                    status.getTotalDuration().getSeconds() + status.getTotalDuration().getNanos() / 1e9));
            for (StageStatus stage : status.getStagesList()) {
                if (stage.getState() != StageState.STAGE_STATE_OK) {
                    out.printf("  %s %s: %s%n", stage.getStage().name().substring("STAGE_".length()).toLowerCase(Locale.ROOT),
                            state(stage.getState()), stage.getReason());
                }
            }
        }
        out.flush();
    }

    private Map<String, Object> document() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("conversation_id", conversationId);
        doc.put("turn_id", turnId);
        List<Map<String, Object>> snippets = new ArrayList<>();
        for (Snippet s : evidence.getSnippetsList()) {
            snippets.add(snippet(s));
        }
        Map<String, Object> answerDoc = new LinkedHashMap<>();
        if (answer != null) {
            answerDoc.put("text", answer.getText());
            answerDoc.put("candidate_index", answer.getCandidateIndex());
            answerDoc.put("origin", origin(answer.getOrigin()));
            answerDoc.put("reward", answer.getReward());
            answerDoc.put("evidence", answer.getCitedSnippetsList().stream().map(TurnPrinter::snippet).toList());
        }
        doc.put("answer", answer == null ? null : answerDoc);
        doc.put("evidence", snippets);
        List<Map<String, Object>> list = new ArrayList<>();
        for (Candidate c : candidates.values()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("index", c.getIndex());
            entry.put("origin", origin(c.getOrigin()));
            entry.put("text", c.getText());
            if (c.hasMeanLogProbability()) {
                entry.put("mean_log_probability", c.getMeanLogProbability());
            }
            if (ranking != null) {
                ranking.getScoresList().stream().filter(s -> s.getCandidateIndex() == c.getIndex()).findFirst().ifPresent(s -> {
                    entry.put("reward", s.getReward());
                    entry.put("violations", s.getRuleViolationsList().stream().map(v -> Map.of("rule", v.getRule(),
                            "description", v.getDescription(), "penalty", v.getPenalty(), "disqualifying", v.getDisqualifying()))
                            .toList());
                });
            }
            list.add(entry);
        }
        doc.put("candidates", list);
        Map<String, Object> statusDoc = new LinkedHashMap<>();
        if (status != null) {
            statusDoc.put("overall", state(status.getOverallState()));
            statusDoc.put("seconds", status.getTotalDuration().getSeconds() + status.getTotalDuration().getNanos() / 1e9);
            statusDoc.put("stages", status.getStagesList().stream().map(s -> Map.of(
                    "stage", s.getStage().name().substring("STAGE_".length()).toLowerCase(Locale.ROOT),
                    "state", state(s.getState()), "reason", s.getReason(),
                    "seconds", s.getDuration().getSeconds() + s.getDuration().getNanos() / 1e9)).toList());
        }
        doc.put("status", statusDoc);
        return doc;
    }

    private static Map<String, Object> snippet(Snippet s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("document_id", s.getDocumentId());
        m.put("title", s.getTitle());
        m.put("source", source(s));
        m.put("text", s.getText());
        m.put("score", s.getScore());
        return m;
    }

    private static String source(Snippet s) {
        return s.getUrl().isEmpty() ? s.getSource() : s.getUrl();
    }

    private static String mode(Evidence e) {
        return e.getMode().name().substring("SEARCH_MODE_".length()).toLowerCase(Locale.ROOT);
    }

    static String origin(CandidateOrigin origin) {
        return switch (origin) {
            case CANDIDATE_ORIGIN_GENERATED_WITH_EVIDENCE -> "generated with evidence";
            case CANDIDATE_ORIGIN_SEARCH_SNIPPET -> "search snippet";
            default -> "generated";
        };
    }

    private static String state(StageState state) {
        return state.name().substring("STAGE_STATE_".length());
    }

    private static String oneLine(String text) {
        String line = text.strip().replaceAll("\\s+", " ");
        return line.length() <= 100 ? line : line.substring(0, 97) + "...";
    }
}
