package org.sparrowmesh.ranker.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.sparrowmesh.ranker.data.Embedder;
import org.sparrowmesh.ranker.data.PreferenceData;
import org.sparrowmesh.ranker.data.PreferenceExample;
import org.sparrowmesh.ranker.data.QaCheck;
import org.sparrowmesh.ranker.feature.EmbeddedTexts;
import org.sparrowmesh.ranker.feature.FeatureExtractor;
import org.sparrowmesh.ranker.model.PreferenceModel;
import org.sparrowmesh.ranker.model.PreferencePair;
import org.sparrowmesh.ranker.model.PreferenceTrainer;
import org.sparrowmesh.ranker.rules.RuleBook;
import org.sparrowmesh.ranker.scoring.CandidateInput;
import org.sparrowmesh.ranker.scoring.Origin;
import org.sparrowmesh.ranker.scoring.RankInput;
import org.sparrowmesh.ranker.scoring.RankOutcome;
import org.sparrowmesh.ranker.scoring.Ranker;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mesh train-ranker} and {@code mesh eval-ranker}: fit the preference model, measure it against baselines. */
@Command(name = "ranker", mixinStandardHelpOptions = true, subcommands = {RankerCommand.Train.class, RankerCommand.Eval.class},
        description = "Train and evaluate the reward ranker's preference model.")
public final class RankerCommand {

    /** Weights of features a preference set without evidence or log-probabilities cannot teach (hand-set, documented). */
    static final Map<String, Double> PRIORS = Map.of("relevance_cosine", 1.0, "evidence_cosine", 1.0, "evidence_overlap", 1.0,
            "supported_facts", 0.5, "unsupported_facts", -1.0, "mean_log_probability", 0.3);

    public static void main(String[] args) {
        System.exit(new CommandLine(new RankerCommand()).setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("mesh " + cmd.getCommandName() + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return 1;
        }).execute(args));
    }

    /** Features of both answers of each example (embeddings optional). */
    static List<PreferencePair> pairs(List<PreferenceExample> examples, Embedder embedder) {
        FeatureExtractor features = new FeatureExtractor();
        List<PreferencePair> pairs = new ArrayList<>();
        int done = 0;
        for (PreferenceExample example : examples) {
            RankInput input = input(example);
            EmbeddedTexts embedded = embedder == null ? null : embedder.embed(input);
            List<double[]> f = features.extract(input, embedded);
            pairs.add(new PreferencePair(f.get(0), f.get(1)));
            if (++done % 500 == 0) {
                System.err.printf("\r%,d / %,d pairs", done, examples.size());
            }
        }
        System.err.println();
        return pairs;
    }

    static RankInput input(PreferenceExample example) {
        return new RankInput(example.question(), List.of(), List.of(
                new CandidateInput(0, example.chosen(), Origin.GENERATED, null),
                new CandidateInput(1, example.rejected(), Origin.GENERATED, null)));
    }

    @Command(name = "train", mixinStandardHelpOptions = true, description = "Fit the preference model on the training split of preference JSONL files.")
    static final class Train implements Callable<Integer> {
        @Parameters(paramLabel = "PATH", description = "A *.pairs.jsonl file or a folder of them (e.g. ../shared/datasets/hh-rlhf).")
        Path data;

        @Option(names = "--out", required = true, description = "Where to write the weights (JSON).")
        Path out;

        @Option(names = "--no-embeddings", description = "Lexical features only (fast).")
        boolean noEmbeddings;

        @Override
        public Integer call() throws Exception {
            List<PreferenceExample> training = PreferenceData.read(data).stream().filter(e -> !PreferenceData.heldOut(e)).toList();
            System.err.printf("training on %,d pairs (held-out pairs excluded)%n", training.size());
            List<PreferencePair> pairs;
            if (noEmbeddings) {
                pairs = pairs(training, null);
            } else {
                try (Embedder embedder = Embedder.miniLm()) {
                    pairs = pairs(training, embedder);
                }
            }
            PreferenceModel model = PreferenceTrainer.standard().fit(pairs, PRIORS, "preference-logistic",
                    data.getFileName() + " training split (" + training.size() + " pairs)"
                            + (noEmbeddings ? ", lexical features" : ", all-MiniLM-L6-v2 features"));
            model.save(out);
            System.err.printf("wrote %s (%s)%n", out, model.version());
            return 0;
        }
    }

    private static double penalties(RankOutcome outcome, int candidate) {
        return outcome.scores().get(candidate).violations().stream().mapToDouble(v -> v.penalty()).sum();
    }

    @Command(name = "eval", mixinStandardHelpOptions = true, description = "Pairwise accuracy on the held-out split, with baselines; QA pick rate.")
    static final class Eval implements Callable<Integer> {
        @Parameters(paramLabel = "PATH", description = "A *.pairs.jsonl file or a folder of them.")
        Path data;

        @Option(names = "--weights", description = "Weights JSON (default: the bundled ones).")
        Path weights;

        @Option(names = "--qa", description = "A QA folder (xquad-en) for the gold-snippet check.")
        Path qa;

        @Option(names = "--no-embeddings", description = "Lexical features only.")
        boolean noEmbeddings;

        @Option(names = "--json", description = "One JSON document on stdout.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            PreferenceModel model = weights == null ? PreferenceModel.bundled() : PreferenceModel.load(weights);
            Ranker ranker = new Ranker(model, RuleBook.standard());
            List<PreferenceExample> heldOut = PreferenceData.read(data).stream().filter(PreferenceData::heldOut).toList();
            Map<String, Object> document = new LinkedHashMap<>();
            try (Embedder embedder = noEmbeddings ? null : Embedder.miniLm()) {
                Map<String, double[]> bySubset = new LinkedHashMap<>(); // model, length, random, count, model without rules
                Random coin = new Random(42);
                for (PreferenceExample example : heldOut) {
                    RankInput input = input(example);
                    RankOutcome outcome = ranker.rank(input, embedder == null ? null : embedder.embed(input));
                    double chosen = outcome.scores().get(0).reward();
                    double rejected = outcome.scores().get(1).reward();
                    double[] tally = bySubset.computeIfAbsent(example.subset(), s -> new double[5]);
                    double[] all = bySubset.computeIfAbsent("all", s -> new double[5]);
                    double chosenModel = chosen + penalties(outcome, 0);
                    double rejectedModel = rejected + penalties(outcome, 1);
                    double modelOnlyRight = chosenModel > rejectedModel ? 1 : chosenModel == rejectedModel ? 0.5 : 0;
                    double modelRight = chosen > rejected ? 1 : chosen == rejected ? 0.5 : 0;
                    int lc = example.chosen().length();
                    int lr = example.rejected().length();
                    double lengthRight = lc > lr ? 1 : lc == lr ? 0.5 : 0;
                    double randomRight = coin.nextBoolean() ? 1 : 0;
                    for (double[] t : List.of(tally, all)) {
                        t[0] += modelRight;
                        t[1] += lengthRight;
                        t[2] += randomRight;
                        t[3]++;
                        t[4] += modelOnlyRight;
                    }
                }
                double[] all = bySubset.remove("all");
                document.put("held_out_pairs", (int) all[3]);
                document.put("accuracy", all[0] / all[3]);
                document.put("baselines", Map.of("length", all[1] / all[3], "random", all[2] / all[3]));
                document.put("accuracy_without_rules", all[4] / all[3]);
                Map<String, Object> subsets = new LinkedHashMap<>();
                bySubset.forEach((name, t) -> subsets.put(name, Map.of("pairs", (int) t[3], "accuracy", t[0] / t[3],
                        "accuracy_without_rules", t[4] / t[3],
                        "baselines", Map.of("length", t[1] / t[3], "random", t[2] / t[3]))));
                document.put("subsets", subsets);
                document.put("model", Map.of("name", model.name(), "version", model.version(), "trained_on", model.trainedOn()));
                if (qa != null) {
                    document.put("qa", QaCheck.run(qa, ranker, embedder));
                }
            }
            System.err.printf("held-out pairs: %d; accuracy %.4f; length baseline %.4f; random %.4f%n",
                    document.get("held_out_pairs"), (double) document.get("accuracy"),
                    ((Map<?, ?>) document.get("baselines")).get("length"), ((Map<?, ?>) document.get("baselines")).get("random"));
            if (document.containsKey("qa")) {
                System.err.println("qa: " + document.get("qa"));
            }
            if (json) {
                System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(document));
            }
            return 0;
        }
    }
}
