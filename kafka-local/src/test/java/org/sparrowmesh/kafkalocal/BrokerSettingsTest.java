package org.sparrowmesh.kafkalocal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** Free ports for tests: the OS may offer a just-closed probe port again; settings must never get it twice. */
class BrokerSettingsTest {

    @Test
    void freePortsHandedOutInOneJvmAreAllDifferent() {
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            int port = BrokerSettings.freePort();
            assertThat(seen.add(port)).as("port %d handed out twice (call %d)", port, i).isTrue();
        }
    }
}
