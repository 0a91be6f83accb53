package dev.jgpt.api.array;

import dev.jgpt.api.Shapes;
import dev.jgpt.api.Tensor;
import java.util.Arrays;

/**
 * A tensor on the Java heap: a row-major {@code float[]} and its shape. Never mutated once handed out. The tensor type
 * of {@link ArrayBackend} and every backend built on it (plain, its reference, vector).
 *
 * <p>One exception to "contiguous": a view of a {@link ArrayKvCache}, shape [B, H, T, A] inside storage that holds
 * {@code capacity} ≥ T positions per head, so element (g, t, a) of the B·H heads lives at
 * {@code (g·capacity + t)·A + a}. The attention kernels read such views in place; every other operation sees
 * {@link #compact()}, a contiguous copy.
 */
public final class ArrayTensor implements Tensor {
    /** The storage (read only: tensors are never mutated). */
    public final float[] data;
    private final int[] shape;
    /** Positions stored per head: shape[2] for an ordinary tensor, more for a KV cache view. */
    public final int capacity;
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

    /** A tensor over {@code data}; {@code recyclable} false for arrays shared with others (adopted weights). */
    ArrayTensor(float[] data, boolean recyclable, int... shape) {
        if (data.length != Shapes.size(shape)) {
            throw new IllegalArgumentException(
                    "data length " + data.length + " does not match shape " + Arrays.toString(shape));
        }
        this.data = data;
        this.shape = shape.clone();
        this.capacity = shape.length == 4 ? shape[2] : -1;
        this.recyclable = recyclable;
    }

    /** A [B, H, T, A] view of KV cache storage holding {@code capacity} positions per head. */
    private ArrayTensor(float[] storage, int capacity, int[] shape) {
        this.data = storage;
        this.shape = shape.clone();
        this.capacity = capacity;
        this.recyclable = false;
    }

    /** A [b, h, t, a] view of storage holding {@code capacity} positions per head. */
    public static ArrayTensor kvView(float[] storage, int capacity, int b, int h, int t, int a) {
        return new ArrayTensor(storage, capacity, new int[] {b, h, t, a});
    }

    /** The heap-array tensor behind {@code t}; refuses foreign and released tensors. */
    public static ArrayTensor of(Tensor t) {
        if (!(t instanceof ArrayTensor)) {
            throw new IllegalArgumentException("not a heap-array tensor: " + t);
        }
        ArrayTensor a = (ArrayTensor) t;
        if (a.released) {
            throw new IllegalStateException("tensor used after it was released: " + a);
        }
        return a;
    }

    /** Whether {@link #data} holds exactly this tensor's elements, row-major. */
    public boolean contiguous() {
        return shape.length != 4 || capacity == shape[2];
    }

    /** The elements, row-major: {@link #data} itself, or for a KV cache view a contiguous copy. */
    public float[] compact() {
        if (contiguous()) {
            return data;
        }
        int groups = shape[0] * shape[1];
        int run = shape[2] * shape[3];
        float[] out = new float[groups * run];
        for (int g = 0; g < groups; g++) {
            System.arraycopy(data, g * capacity * shape[3], out, g * run, run);
        }
        return out;
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
