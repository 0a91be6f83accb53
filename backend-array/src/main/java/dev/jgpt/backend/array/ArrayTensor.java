package dev.jgpt.backend.array;

import dev.jgpt.api.Shapes;
import dev.jgpt.api.Tensor;
import java.util.Arrays;

/**
 * A tensor on the Java heap: a row-major {@code float[]} and its shape. Never mutated once handed out. The tensor type
 * of {@link ArrayBackend} and every backend built on it (plain, the kit's reference, vector).
 */
public final class ArrayTensor implements Tensor {
    /** The storage (read only: tensors are never mutated). */
    public final float[] data;
    private final int[] shape;
    /** Whether {@link #data} belongs to this tensor alone, so that a backend may reuse it once it is released. */
    final boolean recyclable;
    /** Set by {@link ArrayBackend#release}: the tensor must not be used again (its array may hold another's data). */
    boolean released;

    /**
     * Wraps {@code data} (not copied: the caller hands it over, and the backend may reuse the array once the tensor
     * is released) as a tensor of {@code shape}.
     */
    public ArrayTensor(float[] data, int... shape) {
        this(data, true, shape);
    }

    /** A tensor over {@code data}; {@code recyclable} false for arrays shared with others (weights). */
    ArrayTensor(float[] data, boolean recyclable, int... shape) {
        if (data.length != Shapes.size(shape)) {
            throw new IllegalArgumentException(
                    "data length " + data.length + " does not match shape " + Arrays.toString(shape));
        }
        this.data = data;
        this.shape = shape.clone();
        this.recyclable = recyclable;
    }

    /** The heap-array tensor behind {@code t}; refuses foreign and released tensors. */
    public static ArrayTensor of(Tensor t) {
        if (!(t instanceof ArrayTensor a)) {
            throw new IllegalArgumentException("not a heap-array tensor: " + t);
        }
        if (a.released) {
            throw new IllegalStateException("tensor used after it was released: " + a);
        }
        return a;
    }

    @Override
    public int[] shape() {
        return shape;
    }

    @Override
    public String toString() {
        return "ArrayTensor" + Arrays.toString(shape);
    }
}
