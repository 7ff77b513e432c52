package org.sparrowmesh.retrieval.server.grpc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import org.sparrowmesh.kafkalocal.BrokerSettings;
import org.sparrowmesh.kafkalocal.KafkaBroker;

/**
 * What the retrieval tool's tests run against: a real KRaft broker, a fresh index folder, and a
 * small demo corpus (two Markdown files) that the service indexes at start. No encoder runs, so
 * the service meets a real "connection refused" and must fall back to BM25.
 */
public class RetrievalTestResources implements QuarkusTestResourceLifecycleManager {

    private static volatile BrokerSettings settings;
    private KafkaBroker broker;

    @Override
    public Map<String, String> start() {
        try {
            Path root = Files.createTempDirectory("retrieval-test-");
            Path corpus = Files.createDirectories(root.resolve("corpus"));
            Files.writeString(corpus.resolve("lamda.md"), """
                    # LaMDA

                    LaMDA is a family of dialogue language models from Google, introduced in 2021.
                    It was pre-trained on 1.56 trillion words of public dialogue data and web documents.
                    """);
            Files.writeString(corpus.resolve("sparrow.md"), """
                    # Sparrow

                    Sparrow is a dialogue agent from DeepMind that searches for evidence before it answers.
                    """);
            settings = BrokerSettings.onFreePorts(root.resolve("kafka"));
            broker = KafkaBroker.start(settings);
            return Map.of("mesh.kafka.bootstrap-servers", settings.bootstrapServers(),
                    "mesh.retrieval.index-dir", root.resolve("index").toString(),
                    "mesh.retrieval.demo-corpus", corpus.toString(),
                    // nothing listens there: the encoder is down
                    "quarkus.grpc.clients.encoder.port", "1");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    static String bootstrapServers() {
        return settings.bootstrapServers();
    }
}
