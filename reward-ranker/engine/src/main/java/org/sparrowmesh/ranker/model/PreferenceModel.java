package org.sparrowmesh.ranker.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.sparrowmesh.ranker.feature.Features;

/**
 * A Bradley–Terry preference model over {@link Features}: reward = Σ wᵢ · (fᵢ − μᵢ) / σᵢ, so
 * P(a preferred to b) = σ(reward(a) − reward(b)). Weights of features that the training data
 * never varied (e.g. evidence features on a preference set without evidence) are priors, marked
 * {@code learned: false} in the JSON.
 *
 * @param version a digest of the weights, reported with every ranking so scores can be traced
 */
public record PreferenceModel(String name, String trainedOn, Map<String, Parameter> parameters, String version) {

    /** One feature's weight and standardisation. */
    public record Parameter(double weight, double mean, double scale, boolean learned) {
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The weights shipped in the jar ({@code default-weights.json}). */
    public static PreferenceModel bundled() throws IOException {
        try (InputStream in = PreferenceModel.class.getResourceAsStream("default-weights.json")) {
            if (in == null) {
                throw new IOException("default-weights.json is missing from the ranker engine jar");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    public static PreferenceModel load(Path file) throws IOException {
        return parse(Files.readString(file));
    }

    private static PreferenceModel parse(String json) throws IOException {
        PreferenceModel read = JSON.readValue(json, PreferenceModel.class);
        for (String name : Features.NAMES) {
            if (!read.parameters().containsKey(name)) {
                throw new IOException("the weights have no parameter for feature " + name);
            }
        }
        return new PreferenceModel(read.name(), read.trainedOn(), read.parameters(), digest(read.parameters()));
    }

    public static PreferenceModel of(String name, String trainedOn, Map<String, Parameter> parameters) {
        return new PreferenceModel(name, trainedOn, parameters, digest(parameters));
    }

    public void save(Path file) throws IOException {
        Files.writeString(file, JSON.writeValueAsString(this));
    }

    public double reward(double[] features) {
        double reward = 0;
        List<String> names = Features.NAMES;
        for (int i = 0; i < names.size(); i++) {
            Parameter p = parameters.get(names.get(i));
            reward += p.weight() * (features[i] - p.mean()) / p.scale();
        }
        return reward;
    }

    private static String digest(Map<String, Parameter> parameters) {
        try {
            String text = JSON.writeValueAsString(new LinkedHashMap<>(new java.util.TreeMap<>(parameters)));
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(hash, 0, 8);
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
