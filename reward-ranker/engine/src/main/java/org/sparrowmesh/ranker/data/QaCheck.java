package org.sparrowmesh.ranker.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.sparrowmesh.ranker.scoring.CandidateInput;
import org.sparrowmesh.ranker.scoring.Origin;
import org.sparrowmesh.ranker.scoring.RankInput;
import org.sparrowmesh.ranker.scoring.RankOutcome;
import org.sparrowmesh.ranker.scoring.Ranker;

/**
 * The evidence check on a QA set (XQuAD-en layout: corpus.jsonl passages, questions.jsonl with
 * the gold passage id): each question's candidates are its gold paragraph and up to four
 * distractor paragraphs of the same article (hard negatives), all as search snippets; how often
 * does the ranker pick the gold one, against picking the longest and picking at random?
 */
public final class QaCheck {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int DISTRACTORS = 4;

    private QaCheck() {
    }

    public static Map<String, Object> run(Path folder, Ranker ranker, Embedder embedder) throws IOException {
        Map<String, String> passages = new LinkedHashMap<>();
        Map<String, String> titles = new LinkedHashMap<>();
        for (JsonNode node : lines(folder.resolve("corpus.jsonl"))) {
            passages.put(node.get("_id").asText(), node.get("text").asText());
            titles.put(node.get("_id").asText(), node.path("title").asText());
        }
        List<String> ids = new ArrayList<>(passages.keySet());
        int questions = 0;
        double model = 0;
        double longest = 0;
        double random = 0;
        Random coin = new Random(42);
        for (JsonNode q : lines(folder.resolve("questions.jsonl"))) {
            String gold = q.get("passage_id").asText();
            if (!passages.containsKey(gold)) {
                continue;
            }
            List<String> chosen = new ArrayList<>(List.of(gold));
            for (String id : ids) {
                if (chosen.size() > DISTRACTORS) {
                    break;
                }
                if (!id.equals(gold) && titles.get(id).equals(titles.get(gold))) {
                    chosen.add(id);
                }
            }
            Random pick = new Random(questions);
            while (chosen.size() <= DISTRACTORS) {
                String id = ids.get(pick.nextInt(ids.size()));
                if (!chosen.contains(id)) {
                    chosen.add(id);
                }
            }
            java.util.Collections.shuffle(chosen, new Random(questions + 1_000_003L));
            List<CandidateInput> candidates = new ArrayList<>();
            List<String> evidence = new ArrayList<>();
            for (int i = 0; i < chosen.size(); i++) {
                candidates.add(new CandidateInput(i, passages.get(chosen.get(i)), Origin.SEARCH_SNIPPET, null));
                evidence.add(passages.get(chosen.get(i)));
            }
            RankInput input = new RankInput(q.get("question").asText(), evidence, candidates);
            RankOutcome outcome = ranker.rank(input, embedder == null ? null : embedder.embed(input));
            int goldIndex = chosen.indexOf(gold);
            model += outcome.bestIndex() == goldIndex ? 1 : 0;
            int longestIndex = 0;
            for (int i = 1; i < chosen.size(); i++) {
                if (passages.get(chosen.get(i)).length() > passages.get(chosen.get(longestIndex)).length()) {
                    longestIndex = i;
                }
            }
            longest += longestIndex == goldIndex ? 1 : 0;
            random += coin.nextInt(chosen.size()) == goldIndex ? 1 : 0;
            questions++;
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("questions", questions);
        result.put("candidates_per_question", DISTRACTORS + 1);
        result.put("gold_picked", model / questions);
        result.put("baselines", Map.of("longest", longest / questions, "random", random / questions));
        return result;
    }

    private static List<JsonNode> lines(Path file) throws IOException {
        List<JsonNode> nodes = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (!line.isBlank()) {
                    nodes.add(JSON.readTree(line));
                }
            }
        }
        return nodes;
    }
}
