package org.sparrowmesh.deploycheck;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The configuration a service understands, read from its application.properties: the keys it sets,
 * the keys it documents in a comment ({@code # mesh.encoder.model.onnx=…}), and the environment
 * variables it reads ({@code ${MESH_MODEL:}}).
 *
 * @param keys every key, without a {@code %profile.} prefix
 * @param environment the variables named in {@code ${VAR:default}} expressions
 */
public record ServiceConfig(Set<String> keys, Set<String> environment) {

    private static final Pattern COMMENTED_KEY = Pattern.compile("^#\\s*((?:quarkus|mesh)\\.[A-Za-z0-9_.\"-]+)=");
    private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)(?::|})");

    public static ServiceConfig read(Path applicationProperties) {
        try {
            return parse(Files.readString(applicationProperties));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + applicationProperties, e);
        }
    }

    public static ServiceConfig parse(String text) {
        Set<String> keys = new LinkedHashSet<>();
        Set<String> environment = new LinkedHashSet<>();
        for (String key : properties(text).stringPropertyNames()) {
            keys.add(withoutProfile(key));
        }
        for (String line : text.lines().toList()) {
            Matcher commented = COMMENTED_KEY.matcher(line.strip());
            if (commented.find()) {
                keys.add(withoutProfile(commented.group(1)));
            }
            Matcher env = ENV_REFERENCE.matcher(line);
            while (env.find()) {
                environment.add(env.group(1));
            }
        }
        return new ServiceConfig(Set.copyOf(keys), Set.copyOf(environment));
    }

    /** The keys of a properties text (a ConfigMap's application.properties), profile prefixes kept. */
    public static Properties properties(String text) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(text));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    static String withoutProfile(String key) {
        return key.startsWith("%") && key.indexOf('.') > 0 ? key.substring(key.indexOf('.') + 1) : key;
    }

    /** Quarkus's environment form of a key: {@code mesh.turn.max-tokens} → {@code MESH_TURN_MAX_TOKENS}. */
    public static String environmentName(String key) {
        return key.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    /** Whether a container may set this variable: one the file reads, or a key's environment form. */
    public boolean acceptsVariable(String name) {
        return environment.contains(name) || keys.stream().anyMatch(k -> environmentName(k).equals(name));
    }
}
