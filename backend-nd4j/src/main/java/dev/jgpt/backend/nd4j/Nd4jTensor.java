package dev.jgpt.backend.nd4j;

import dev.jgpt.api.Tensor;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An ND4J tensor: a float32, c-order (row-major) {@link INDArray} and its shape. The backend never hands out an array
 * that shares memory with another tensor, so each one may be released on its own, with one exception: the
 * {@linkplain #view keys and values} a KV cache hands out, which the cache frees. Never mutated once handed out.
 */
final class Nd4jTensor implements Tensor {
    /**
     * The array. Replaced at most once, by {@link Nd4jBackend#matmul} turning a weight column-major (same contents,
     * so the tensor still never changes for its users).
     */
    volatile INDArray array;
    private final int[] shape;
    /** False for a view into memory another object owns (a KV cache): releasing it does nothing. */
    final boolean owner;

    Nd4jTensor(INDArray array, int... shape) {
        this(array, true, shape);
    }

    /** A tensor over memory that belongs to someone else (see {@link Nd4jKvCache}): release does nothing. */
    static Nd4jTensor view(INDArray view, int... shape) {
        return new Nd4jTensor(view, false, shape);
    }

    private Nd4jTensor(INDArray array, boolean owner, int... shape) {
        if (array.length() != Arrays.stream(shape).asLongStream().reduce(1, (a, b) -> a * b)) {
            throw new IllegalArgumentException(
                    "array of " + array.length() + " elements does not match shape " + Arrays.toString(shape));
        }
        this.array = array;
        this.owner = owner;
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
