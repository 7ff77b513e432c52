package org.sparrowmesh.launcher;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Whether the ports the mesh binds on 127.0.0.1 are free before anything is started. */
public final class PortCheck {

    private static final InetAddress LOOPBACK = loopback();

    private PortCheck() {
    }

    /**
     * True when a listener could bind {@code 127.0.0.1:port} now. A listener on the wildcard
     * address (0.0.0.0 or ::) makes the bind fail as well, so that counts as taken too.
     */
    public static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            // A port in TIME_WAIT after `mesh down` is free for the services, which reuse it too.
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(LOOPBACK, port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Descriptions like {@code "port 7700 (gateway)"} of the ports in {@code owners} that are taken. */
    public static List<String> taken(Map<Integer, String> owners) {
        List<String> taken = new ArrayList<>();
        owners.forEach((port, owner) -> {
            if (!isFree(port)) {
                taken.add("port " + port + " (" + owner + ")");
            }
        });
        return taken;
    }

    private static InetAddress loopback() {
        try {
            return InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1});
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e); // cannot happen: four bytes is a valid address
        }
    }
}
