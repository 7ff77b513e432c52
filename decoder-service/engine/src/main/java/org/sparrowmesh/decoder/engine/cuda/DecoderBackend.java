package org.sparrowmesh.decoder.engine.cuda;

import java.util.Locale;
import java.util.function.Supplier;

/**
 * The {@code decoder.backend} setting: {@code auto} (CUDA when a device is present, else the CPU),
 * {@code cpu} or {@code cuda} (a device is required: without one, start-up fails with the reason).
 */
public enum DecoderBackend {
    AUTO, CPU, CUDA;

    /** Parses a setting value, naming the key and the allowed values when it is neither. */
    public static DecoderBackend parse(String key, String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException(key + " must be auto, cpu or cuda, got '" + value + "'");
        }
    }

    /** What runs and why, as the service logs it. */
    public record Choice(DecoderBackend backend, CudaDevice device, String reason) {
    }

    /**
     * Resolves AUTO and checks CUDA against {@code detector}'s device: the choice is CPU or CUDA,
     * never AUTO; an IllegalStateException when CUDA is required and no device is usable.
     */
    public Choice resolve(String key, Supplier<CudaDevice> detector) {
        if (this == CPU) {
            return new Choice(CPU, null, key + "=cpu");
        }
        CudaDevice device = detector.get();
        if (device.present()) {
            return new Choice(CUDA, device, key + "=" + name().toLowerCase(Locale.ROOT) + ", " + device.reason());
        }
        if (this == CUDA) {
            throw new IllegalStateException(key + "=cuda but no usable CUDA device: " + device.reason()
                    + " (set " + key + "=auto or cpu to run on the CPU)");
        }
        return new Choice(CPU, device, key + "=auto and no CUDA device (" + device.reason() + ")");
    }
}
