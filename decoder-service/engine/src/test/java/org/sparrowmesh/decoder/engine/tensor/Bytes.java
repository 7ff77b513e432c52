package org.sparrowmesh.decoder.engine.tensor;

/** Little-endian byte building for hand-made blocks in tests. */
final class Bytes {

    private final byte[] bytes;

    Bytes(int size) {
        bytes = new byte[size];
    }

    Bytes u8(int at, int value) {
        if (value < -128 || value > 255) {
            throw new IllegalArgumentException("byte value " + value);
        }
        bytes[at] = (byte) value;
        return this;
    }

    Bytes f16(int at, float value) {
        short h = Float.floatToFloat16(value);
        if (Float.float16ToFloat(h) != value && !Float.isNaN(value)) {
            throw new IllegalArgumentException(value + " is not exactly an F16");
        }
        return u16(at, h);
    }

    Bytes u16(int at, int value) {
        bytes[at] = (byte) value;
        bytes[at + 1] = (byte) (value >>> 8);
        return this;
    }

    Bytes u32(int at, int value) {
        for (int i = 0; i < 4; i++) {
            bytes[at + i] = (byte) (value >>> 8 * i);
        }
        return this;
    }

    /** Ors bits into a byte (for fields packed from several values). */
    Bytes or(int at, int bits) {
        bytes[at] |= (byte) bits;
        return this;
    }

    byte[] array() {
        return bytes;
    }
}
