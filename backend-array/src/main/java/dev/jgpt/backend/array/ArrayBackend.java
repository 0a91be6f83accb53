package dev.jgpt.backend.array;

import dev.jgpt.api.DType;
import dev.jgpt.api.HeapKvCache;
import dev.jgpt.api.KvCache;
import dev.jgpt.api.KvCacheSpec;
import dev.jgpt.api.Tensor;
import dev.jgpt.api.TensorBackend;
import dev.jgpt.api.WeightData;

/**
 * A base for backends that keep tensors on the Java heap as row-major {@code float[]} ({@link ArrayTensor}). It does
 * everything that only moves data — tensors in and out, weights (widened to float32, or kept packed in the dtypes it
 * declares: {@link PackedTensor}), gathering rows (from float32 tables or any {@link RowDecoder}), a heap KV cache
 * — so a backend built on it writes only the arithmetic: {@link #add}, {@link #matmul}, {@link #layerNorm},
 * {@link #gelu}, {@link #softmax} (and, for speed, {@code linear} and {@code attention}).
 */
public abstract class ArrayBackend implements TensorBackend {
    /** Released arrays for reuse, or null when this backend allocates every output afresh. */
    private final ArrayPool pool;

    /** A backend that allocates every output afresh (released tensors are left to the garbage collector). */
    protected ArrayBackend() {
        this(false);
    }

    /**
     * A backend that, with {@code recycle}, reuses the arrays of released tensors for later outputs
     * ({@link #newArray}); without, allocates every output afresh.
     */
    protected ArrayBackend(boolean recycle) {
        this.pool = recycle ? new ArrayPool() : null;
    }

    /** An array for an output of n floats, all zero: a recycled one when this backend recycles, else new. */
    protected final float[] newArray(int n) {
        return pool == null ? new float[n] : pool.take(n, true);
    }

    /** An array for an output of n floats whose every element the caller will write: contents unspecified. */
    protected final float[] newArrayToOverwrite(int n) {
        return pool == null ? new float[n] : pool.take(n, false);
    }

    /**
     * Marks the tensor released (using it again fails) and, when this backend recycles, keeps its array for reuse
     * unless the array is shared (a weight).
     */
    @Override
    public void release(Tensor t) {
        if (!(t instanceof ArrayTensor a) || a.released) {
            return;
        }
        a.released = true;
        if (pool != null && a.recyclable) {
            pool.give(a.data);
        }
    }

    /** The elements of {@code t}, row-major (the tensor's own array: read only). */
    protected static float[] data(Tensor t) {
        return ArrayTensor.of(t).data;
    }

    // ----------------------------------------------------------------------------------------------- data in and out

    @Override
    public Tensor fromArray(float[] data, int... shape) {
        return new ArrayTensor(data.clone(), shape);
    }

    /**
     * A weight of a dtype this backend computes on ({@link #weightTypes()}, other than F32) is kept packed
     * ({@link PackedTensor}: its bytes copied once); the rest are widened to float32 once. Weights live as long as
     * their model, so their arrays are never recycled.
     */
    @Override
    public Tensor weight(WeightData w) {
        if (w.dtype() != DType.F32 && weightTypes().contains(w.dtype())) {
            return PackedTensor.of(w);
        }
        return widened(w);
    }

    /** The weight widened (or dequantized) to a float32 tensor, never recycled. */
    protected static Tensor widened(WeightData w) {
        return new ArrayTensor(w.toFloats(), false, w.shape());
    }

    /** A packed weight ({@link PackedTensor}, or any {@link RowDecoder}) comes back dequantized, row by row. */
    @Override
    public float[] toArray(Tensor t) {
        if (t instanceof RowDecoder packed) {
            int width = packed.dim(-1);
            float[] out = new float[Math.toIntExact(packed.size())];
            for (int r = 0; r < Math.toIntExact(packed.size() / width); r++) {
                packed.row(r, out, r * width);
            }
            return out;
        }
        return ArrayTensor.of(t).data.clone();
    }

    /** Heap blocks, read in place by the attention kernels. */
    @Override
    public KvCache newKvCache(KvCacheSpec spec) {
        return new HeapKvCache(spec);
    }

    // ----------------------------------------------------------------------------------------------- moving data

    @Override
    public Tensor gatherRows(Tensor table, int[] ids) {
        if (table.rank() != 2) {
            throw new IllegalArgumentException("gatherRows: the table must be [R, C], got " + table);
        }
        int n = table.dim(0);
        int c = table.dim(1);
        float[] out = newArrayToOverwrite(ids.length * c);
        if (table instanceof RowDecoder packed) {
            for (int i = 0; i < ids.length; i++) {
                if (ids[i] < 0 || ids[i] >= n) {
                    throw new IndexOutOfBoundsException("row " + ids[i] + " outside [0, " + n + ")");
                }
                packed.row(ids[i], out, i * c);
            }
            return new ArrayTensor(out, ids.length, c);
        }
        float[] src = data(table);
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= n) {
                throw new IndexOutOfBoundsException("row " + ids[i] + " outside [0, " + n + ")");
            }
            System.arraycopy(src, ids[i] * c, out, i * c, c);
        }
        return new ArrayTensor(out, ids.length, c);
    }
}
