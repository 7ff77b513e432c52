package org.sparrowmesh.grpcstatus;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * The answer of an RPC whose issue has not landed: {@code UNIMPLEMENTED} with a message that says
 * which issue brings it. Never fake data in its place.
 */
public final class PendingIssue {

    private PendingIssue() {
    }

    /**
     * @param rpc   e.g. {@code "Decoder.Generate"}
     * @param issue the issue number that brings the RPC
     * @param what  the issue's subject, e.g. {@code "decoder service"}
     */
    public static StatusRuntimeException unavailable(String rpc, int issue, String what) {
        return Status.UNIMPLEMENTED
                .withDescription(rpc + " is not served by this build: it arrives with issue #" + issue
                        + " (" + what + ")")
                .asRuntimeException();
    }
}
