package dev.jgpt.backend.nd4j;

import dev.jgpt.api.Tensor;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An ND4J tensor: a float32, c-order (row-major) {@link INDArray} and its shape. The backend never hands out an array
 * that shares memory with another tensor, so each one may be released on its own. Never mutated once handed out.
 */
final class Nd4jTensor implements Tensor {
    final INDArray array;
    private final int[] shape;

    Nd4jTensor(INDArray array, int... shape) {
        if (array.length() != Arrays.stream(shape).asLongStream().reduce(1, (a, b) -> a * b)) {
            throw new IllegalArgumentException(
                    "array of " + array.length() + " elements does not match shape " + Arrays.toString(shape));
        }
        this.array = array;
        this.shape = shape.clone();
    }

    @Override
    public int[] shape() {
        return shape;
    }

    @Override
    public String toString() {
        return "Nd4jTensor" + Arrays.toString(shape);
    }
}
