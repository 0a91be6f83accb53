package dev.jgpt.backend.array;

import dev.jgpt.api.Tensor;

/**
 * A weight [R, C] kept in a compact form (not a {@code float[]}) that can write any of its rows as float32: what
 * {@link ArrayBackend#gatherRows} needs of a packed embedding table. {@link PackedTensor} is one; a backend with a
 * packed layout of its own implements it too.
 */
public interface RowDecoder extends Tensor {
    /** Row r, decoded exactly, into {@code out[o, o + C)}. */
    void row(int r, float[] out, int o);
}
