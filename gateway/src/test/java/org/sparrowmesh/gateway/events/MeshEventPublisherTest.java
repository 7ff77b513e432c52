package org.sparrowmesh.gateway.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import com.google.protobuf.Timestamp;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.sparrowmesh.events.CloudEventHeaders;
import org.sparrowmesh.events.MeshTopic;
import org.sparrowmesh.kafkalocal.junit.TopicReader;
import org.sparrowmesh.proto.v1.TurnRecorded;

/**
 * The gateway's publisher against a real KRaft broker: a protobuf event goes out with its key and
 * CloudEvents headers, a plain Kafka consumer reads it back, it survives a broker restart on the
 * same data folder, and an event that cannot be delivered is counted as lost, not hidden.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerTestResource.class)
class MeshEventPublisherTest {

    @Inject
    MeshEventPublisher publisher;

    @Inject
    MeterRegistry metrics;

    @Test
    void aPlainConsumerReadsTheProtobufEventWithItsKeyAndCloudEventsHeaders() throws Exception {
        TurnRecorded turn = turn("Who painted the Mona Lisa?");

        var metadata = publisher.publish(MeshTopic.TURNS, turn.getConversationId(), turn)
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertThat(metadata.topic()).isEqualTo("mesh.turns");

        ConsumerRecord<String, byte[]> record = readBack(MeshTopic.TURNS, turn.getConversationId());
        assertThat(TurnRecorded.parseFrom(record.value())).isEqualTo(turn);
        assertThat(header(record, CloudEventHeaders.TYPE)).isEqualTo("org.sparrowmesh.v1.TurnRecorded");
        assertThat(header(record, CloudEventHeaders.SOURCE)).isEqualTo("/sparrow-mesh/gateway");
        assertThat(header(record, CloudEventHeaders.SPECVERSION)).isEqualTo("1.0");
        assertThat(header(record, CloudEventHeaders.CONTENT_TYPE)).isEqualTo("application/protobuf");
        assertThat(UUID.fromString(header(record, CloudEventHeaders.ID))).isNotNull();
        assertThat(java.time.Instant.parse(header(record, CloudEventHeaders.TIME))).isNotNull();
    }

    @Test
    void theEventIsStillThereAfterTheBrokerRestartsOnTheSameDataFolder() throws Exception {
        TurnRecorded turn = turn("What is the tallest mountain?");
        publisher.publish(MeshTopic.TURNS, turn.getConversationId(), turn).toCompletableFuture().get(30, TimeUnit.SECONDS);

        KafkaBrokerTestResource.stopBroker();
        KafkaBrokerTestResource.startBroker();

        ConsumerRecord<String, byte[]> record = readBack(MeshTopic.TURNS, turn.getConversationId());
        assertThat(TurnRecorded.parseFrom(record.value())).isEqualTo(turn);
    }

    @Test
    void anEventThatCannotBeDeliveredFailsItsStageAndIsCountedAsLost() throws Exception {
        double lostBefore = lostCount();
        KafkaBrokerTestResource.stopBroker();
        try {
            TurnRecorded turn = turn("Is anyone there?");
            var stage = publisher.publish(MeshTopic.TURNS, turn.getConversationId(), turn).toCompletableFuture();
            // publish() returned at once although the broker is down; the loss shows when the delivery timeout ends
            assertThatThrownBy(() -> stage.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
            assertThat(lostCount()).isEqualTo(lostBefore + 1);
        } finally {
            KafkaBrokerTestResource.startBroker();
        }
    }

    private double lostCount() {
        var counter = metrics.find("mesh_events_lost_total").tag("topic", "mesh.turns").counter();
        return counter == null ? 0 : counter.count();
    }

    private static TurnRecorded turn(String text) {
        long now = System.currentTimeMillis();
        return TurnRecorded.newBuilder()
                .setConversationId("conversation-" + UUID.randomUUID())
                .setTurnId("turn-1")
                .setText(text)
                .setOccurredAt(Timestamp.newBuilder().setSeconds(now / 1000).setNanos((int) (now % 1000) * 1_000_000))
                .build();
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        var header = record.headers().lastHeader(name);
        assertThat(header).as("header %s", name).isNotNull();
        return new String(header.value(), StandardCharsets.UTF_8);
    }

    /** The record with this key among everything the topic holds now. */
    private static ConsumerRecord<String, byte[]> readBack(MeshTopic topic, String key) {
        List<ConsumerRecord<String, byte[]>> records = TopicReader.readAll(KafkaBrokerTestResource.bootstrapServers(),
                topic.topicName(), new StringDeserializer(), new ByteArrayDeserializer());
        return records.stream().filter(r -> key.equals(r.key())).findFirst()
                .orElseThrow(() -> new AssertionError("no record with key " + key + " among " + records.size()));
    }
}
