package org.sparrowmesh.decoder.engine.cuda;

/**
 * A CUDA driver call that did not return {@code CUDA_SUCCESS}: names the call, the error's name
 * and number and the driver's description of it, and the Java file:line that made the call.
 */
public final class CudaException extends RuntimeException {

    private final String call;
    private final int result;

    public CudaException(String call, int result, String errorName, String description, String site) {
        super(call + " failed: " + errorName + " (" + result + ")"
                + (description == null || description.isEmpty() ? "" : ": " + description)
                + (site == null ? "" : " at " + site));
        this.call = call;
        this.result = result;
    }

    /** A failure before any call could be made (no libcuda, a missing symbol). */
    public CudaException(String message, Throwable cause) {
        super(message, cause);
        this.call = null;
        this.result = -1;
    }

    /** The driver function, e.g. {@code cuMemAlloc}; null when no call was made. */
    public String call() {
        return call;
    }

    /** The {@code CUresult}; −1 when no call was made. */
    public int result() {
        return result;
    }
}
