package org.sparrowmesh.launcher;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The local mesh as configured: layout, the six components with their ports, JVM options.
 * Everything comes from the environment ({@code MESH_*}), so it can be built in a test.
 *
 * @param layout              where jars, pid files and logs live
 * @param components          kafka first, then the five services, in start order
 * @param kafkaControllerPort the broker's KRaft controller port
 * @param javaExecutable      the {@code java} that runs every child JVM
 * @param extraJvmOptions     {@code MESH_JAVA_OPTS}, split on blanks, added to every child JVM
 * @param startTimeout        how long `up` waits for each component to become healthy
 */
public record MeshConfig(
        MeshLayout layout,
        List<Component> components,
        int kafkaControllerPort,
        Path javaExecutable,
        List<String> extraJvmOptions,
        Duration startTimeout) {

    public static final String KAFKA = "kafka";
    /** The one service that gets the model (MESH_MODEL). */
    public static final String DECODER = "decoder";
    public static final int DEFAULT_START_TIMEOUT_SECONDS = 120;

    /** Name, default port and jar (relative to the root) of every component, in start order. */
    private static final List<Default> DEFAULTS = List.of(
            new Default(KAFKA, Component.Kind.KAFKA, 19092, "kafka-local/target/kafka-local.jar"),
            new Default("gateway", Component.Kind.SERVICE, 7700, "gateway/target/quarkus-app/quarkus-run.jar"),
            new Default(DECODER, Component.Kind.SERVICE, 7701,
                    "decoder-service/server/target/quarkus-app/quarkus-run.jar"),
            new Default("encoder", Component.Kind.SERVICE, 7702, "encoder-service/server/target/quarkus-app/quarkus-run.jar"),
            new Default("retrieval", Component.Kind.SERVICE, 7703, "retrieval-tool/server/target/quarkus-app/quarkus-run.jar"),
            new Default("ranker", Component.Kind.SERVICE, 7704, "reward-ranker/server/target/quarkus-app/quarkus-run.jar"));

    private static final int DEFAULT_KAFKA_CONTROLLER_PORT = 19093;

    private record Default(String name, Component.Kind kind, int port, String jar) {}

    public MeshConfig {
        components = List.copyOf(components);
        extraJvmOptions = List.copyOf(extraJvmOptions);
    }

    /** Reads ports and options from {@code env}; the children run on the JVM that runs this. */
    public static MeshConfig from(Path root, Path cwd, Map<String, String> env) {
        MeshLayout layout = MeshLayout.of(root, cwd, env);
        List<Component> components = new ArrayList<>();
        for (Default d : DEFAULTS) {
            int port = intVariable(env, Component.portVariable(d.name()), d.port());
            components.add(new Component(d.name(), d.kind(), port, layout.root().resolve(d.jar())));
        }
        int controllerPort = intVariable(env, "MESH_KAFKA_CONTROLLER_PORT", DEFAULT_KAFKA_CONTROLLER_PORT);
        if (controllerPort < 1 || controllerPort > 65535) {
            throw new MeshException("MESH_KAFKA_CONTROLLER_PORT must be a port within [1, 65535], got "
                    + controllerPort);
        }
        String javaOpts = env.getOrDefault("MESH_JAVA_OPTS", "").strip();
        List<String> extra = javaOpts.isEmpty() ? List.of() : Arrays.asList(javaOpts.split("\\s+"));
        int timeout = intVariable(env, "MESH_START_TIMEOUT", DEFAULT_START_TIMEOUT_SECONDS);
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        return new MeshConfig(layout, components, controllerPort, java, extra, Duration.ofSeconds(timeout));
    }

    private static int intVariable(Map<String, String> env, String name, int fallback) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new MeshException(name + " must be a whole number, got '" + value + "'");
        }
    }

    public Component kafka() {
        return components.getFirst();
    }

    /** The five services, in start order. */
    public List<Component> services() {
        return components.subList(1, components.size());
    }

    /** The component called {@code name}, or a message listing the known names. */
    public Component component(String name) {
        return components.stream()
                .filter(c -> c.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new MeshException("unknown component '" + name + "' (one of "
                        + String.join(", ", components.stream().map(Component::name).toList()) + ")"));
    }

    public String kafkaBootstrap() {
        return "127.0.0.1:" + kafka().port();
    }

    /** Every port the mesh binds, with what binds it, e.g. {@code 19093 -> "kafka controller"}. */
    public Map<Integer, String> boundPorts() {
        Map<Integer, String> ports = new LinkedHashMap<>();
        for (Component c : components) {
            claim(ports, c.port(), c.name());
            if (c.kind() == Component.Kind.KAFKA) {
                claim(ports, kafkaControllerPort, c.name() + " controller");
            }
        }
        return ports;
    }

    private static void claim(Map<Integer, String> ports, int port, String owner) {
        String previous = ports.putIfAbsent(port, owner);
        if (previous != null) {
            throw new MeshException("port " + port + " is configured for both " + previous + " and " + owner);
        }
    }
}
