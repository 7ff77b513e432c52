package org.sparrowmesh.encoder.engine;

/**
 * ONNX Runtime failed on a batch it accepted: a fault of the model or the runtime, not of the
 * input (the service answers INTERNAL and logs it).
 */
public final class ModelRunException extends RuntimeException {

    public ModelRunException(String message, Throwable cause) {
        super(message, cause);
    }
}
