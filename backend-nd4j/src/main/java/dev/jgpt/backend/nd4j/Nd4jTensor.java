package dev.jgpt.backend.nd4j;

import dev.jgpt.api.Shapes;
import dev.jgpt.api.Tensor;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An ND4J tensor: a float32 {@link INDArray} that owns its c-order (row-major) buffer, and its shape. No tensor is a
 * view of another or of a KV cache, so each one may be {@linkplain Nd4jBackend#release released} alone and its
 * buffer read and written in bulk through NIO ({@link Nd4jBackend#nio}). Never mutated once handed out.
 */
final class Nd4jTensor implements Tensor {
    final INDArray array;
    private final int[] shape;

    /**
     * Wraps {@code array}, which must own a c-order buffer of exactly ∏ {@code shape} floats (a fresh array, not a
     * view: the backend's invariant, checked here).
     */
    Nd4jTensor(INDArray array, int... shape) {
        if (array.isView() || array.ordering() != 'c' || array.length() != Shapes.size(shape)) {
            throw new IllegalStateException("an nd4j tensor " + Arrays.toString(shape) + " needs its own c-order "
                    + "buffer of as many floats, got " + array.shapeInfoToString().replaceAll("\\s+", " "));
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
