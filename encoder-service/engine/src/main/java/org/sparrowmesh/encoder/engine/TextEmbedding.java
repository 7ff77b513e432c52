package org.sparrowmesh.encoder.engine;

/**
 * The sentence vector of one text.
 *
 * @param values     the vector (the model's dimension); unit length only if it was normalised
 * @param tokenCount tokens the model read for this text, special tokens included, after truncation
 * @param truncated  whether the text had more tokens than the model's maximum and its end was cut off
 */
public record TextEmbedding(float[] values, int tokenCount, boolean truncated) {

    /** This vector scaled to unit length (L2); a zero vector stays zero. */
    public TextEmbedding normalized() {
        double sumOfSquares = 0;
        for (float v : values) {
            sumOfSquares += (double) v * v;
        }
        if (sumOfSquares == 0) {
            return this;
        }
        float scale = (float) (1.0 / Math.sqrt(sumOfSquares));
        float[] unit = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            unit[i] = values[i] * scale;
        }
        return new TextEmbedding(unit, tokenCount, truncated);
    }
}
