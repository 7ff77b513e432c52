package org.sparrowmesh.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PortCheckTest {

    @Test
    void aListeningPortIsTakenAndFreeAgainOnceClosed() throws Exception {
        int port;
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}))) {
            port = listener.getLocalPort();
            assertThat(PortCheck.isFree(port)).isFalse();
        }
        assertThat(PortCheck.isFree(port)).isTrue();
    }

    @Test
    void aListenerOnTheWildcardAddressAlsoTakesTheLoopbackPort() throws Exception {
        try (ServerSocket listener = new ServerSocket()) {
            listener.bind(new InetSocketAddress(0));
            assertThat(PortCheck.isFree(listener.getLocalPort())).isFalse();
        }
    }

    @Test
    void takenNamesOnlyTheTakenPortsWithTheirOwners() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}))) {
            Map<Integer, String> owners = new LinkedHashMap<>();
            owners.put(MeshFixture.freePort(), "gateway");
            owners.put(listener.getLocalPort(), "kafka controller");

            assertThat(PortCheck.taken(owners)).containsExactly("port " + listener.getLocalPort() + " (kafka controller)");
        }
    }
}
