package dev.jgpt.api;

/**
 * An opaque tensor owned by the {@link TensorBackend} that made it. The backend decides its storage; callers only see
 * the shape and read data back with {@link TensorBackend#toArray(Tensor)}. Tensors are row-major and float32.
 *
 * <p>A tensor may only be passed to the backend that created it.
 */
public interface Tensor {

    /** The shape, outermost dimension first. Callers must not modify the returned array. */
    int[] shape();

    /** Number of dimensions. */
    default int rank() {
        return shape().length;
    }

    /** Size of dimension {@code axis}; a negative axis counts from the end ({@code -1} is the last). */
    default int dim(int axis) {
        int[] s = shape();
        return s[axis < 0 ? s.length + axis : axis];
    }

    /** Number of elements. */
    default long size() {
        return Shapes.size(shape());
    }
}
