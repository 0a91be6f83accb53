package dev.jgpt.backend.plain;

import dev.jgpt.api.Shapes;
import dev.jgpt.api.Tensor;
import java.util.Arrays;

/** A plain tensor: a row-major {@code float[]} and its shape. Never mutated once handed out. */
final class PlainTensor implements Tensor {
    final float[] data;
    private final int[] shape;

    PlainTensor(float[] data, int... shape) {
        if (data.length != Shapes.size(shape)) {
            throw new IllegalArgumentException(
                    "data length " + data.length + " does not match shape " + Arrays.toString(shape));
        }
        this.data = data;
        this.shape = shape.clone();
    }

    @Override
    public int[] shape() {
        return shape;
    }

    @Override
    public String toString() {
        return "PlainTensor" + Arrays.toString(shape);
    }
}
