package org.sparrowmesh.launcher;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One process of the local mesh: the Kafka broker or one of the five services.
 *
 * @param name     short name used in commands, pid files and logs ({@code gateway})
 * @param kind     how it is started and probed
 * @param port     its port on 127.0.0.1 (gRPC and HTTP share it for services)
 * @param artifact the jar that runs it, absolute; its path also identifies the process later
 */
public record Component(String name, Kind kind, int port, Path artifact) {

    /** How a component starts and how its health is checked. */
    public enum Kind {
        /** kafka-local's child-JVM broker; healthy when an AdminClient describes the cluster. */
        KAFKA,
        /** A Quarkus app; healthy when grpc.health.v1.Health/Check answers SERVING. */
        SERVICE
    }

    /** Main class of the broker in kafka-local. */
    public static final String KAFKA_MAIN_CLASS = "org.sparrowmesh.kafkalocal.KafkaBrokerMain";

    /** Flags every service JVM needs: the Vector API incubator module and FFM. */
    public static final List<String> SERVICE_JVM_FLAGS =
            List.of("--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED");

    public Component {
        if (port < 1 || port > 65535) {
            throw new MeshException(portVariable(name) + " must be a port within [1, 65535], got " + port);
        }
        artifact = artifact.toAbsolutePath().normalize();
    }

    /** The environment variable that overrides this component's port, e.g. {@code MESH_GATEWAY_PORT}. */
    public static String portVariable(String name) {
        return "MESH_" + name.toUpperCase(Locale.ROOT) + "_PORT";
    }

    public String portVariable() {
        return portVariable(name);
    }

    /**
     * Strings that the command line of a process we started contains; a pid whose command line
     * lacks one of them is somebody else's process that happens to reuse the number.
     */
    public List<String> identityMarkers() {
        return switch (kind) {
            case KAFKA -> List.of(artifact.toString(), KAFKA_MAIN_CLASS);
            case SERVICE -> List.of(artifact.toString());
        };
    }

    /** The full command line, {@code java} first, without any {@code setsid} in front. */
    public List<String> commandLine(MeshConfig mesh) {
        List<String> command = new ArrayList<>();
        command.add(mesh.javaExecutable().toString());
        switch (kind) {
            case KAFKA -> {
                command.addAll(mesh.extraJvmOptions());
                Path lib = artifact.resolveSibling("lib");
                command.add("-cp");
                command.add(artifact + ":" + lib + "/*");
                command.add(KAFKA_MAIN_CLASS);
                command.add("--data-dir");
                command.add(mesh.layout().kafkaDataDir().toString());
                command.add("--port");
                command.add(Integer.toString(port));
                command.add("--controller-port");
                command.add(Integer.toString(mesh.kafkaControllerPort()));
            }
            case SERVICE -> {
                command.addAll(SERVICE_JVM_FLAGS);
                command.add("-Dquarkus.http.host=127.0.0.1");
                command.add("-Dquarkus.http.port=" + port);
                // Named gRPC clients of the peers, for services that call them by these names.
                for (Component peer : mesh.services()) {
                    if (!peer.name().equals(name)) {
                        command.add("-Dquarkus.grpc.clients." + peer.name() + ".host=127.0.0.1");
                        command.add("-Dquarkus.grpc.clients." + peer.name() + ".port=" + peer.port());
                    }
                }
                command.addAll(mesh.extraJvmOptions());
                command.add("-jar");
                command.add(artifact.toString());
            }
        }
        return command;
    }

    /**
     * Variables added to the inherited environment: the Kafka bootstrap address and every
     * service's host and port, under the same names that configure the launcher.
     */
    public Map<String, String> environment(MeshConfig mesh) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("MESH_KAFKA_BOOTSTRAP", mesh.kafkaBootstrap());
        // the services keep their state (the retrieval index) beside the mesh's own
        env.put(MeshLayout.STATE_DIR_VARIABLE, mesh.layout().stateDir().toString());
        for (Component service : mesh.services()) {
            String prefix = "MESH_" + service.name().toUpperCase(Locale.ROOT);
            env.put(prefix + "_HOST", "127.0.0.1");
            env.put(prefix + "_PORT", Integer.toString(service.port()));
        }
        return env;
    }
}
