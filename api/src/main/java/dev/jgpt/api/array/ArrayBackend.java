package dev.jgpt.api.array;

import dev.jgpt.api.KvCache;
import dev.jgpt.api.Shapes;
import dev.jgpt.api.Tensor;
import dev.jgpt.api.TensorBackend;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * A base for backends that keep tensors on the Java heap as row-major {@code float[]} ({@link ArrayTensor}). It does
 * everything that only moves data — tensors in and out, weights, gathering rows, slicing, concatenating, splitting
 * and merging heads, and a KV cache preallocated at its capacity ({@link ArrayKvCache}) — so a backend built on it
 * writes only the arithmetic: {@link #add}, {@link #matmul}, {@link #layerNorm}, {@link #gelu}, {@link #softmax},
 * {@link #attentionScores} and {@link #attentionMix} (and, for speed, the fused {@code matmulTransposed},
 * {@code linear} and {@code attention}).
 *
 * <p>Keys and values from the cache arrive as views ({@link ArrayTensor#capacity} positions per head, of which the
 * first T are used); {@link #data(Tensor)} gives any tensor's elements contiguously, and a kernel that wants to read
 * a view in place indexes head g's position t at {@code (g·capacity + t)·A}.
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
     * unless the array is shared (an adopted weight, a KV cache view).
     */
    @Override
    public void release(Tensor t) {
        if (!(t instanceof ArrayTensor)) {
            return;
        }
        ArrayTensor a = (ArrayTensor) t;
        if (a.released) {
            return;
        }
        a.released = true;
        if (pool != null && a.recyclable) {
            pool.give(a.data);
        }
    }

    /** The elements of {@code t}, row-major and contiguous (a copy only for a KV cache view). */
    protected static float[] data(Tensor t) {
        return ArrayTensor.of(t).compact();
    }

    // ----------------------------------------------------------------------------------------------- data in and out

    @Override
    public Tensor fromArray(float[] data, int... shape) {
        return new ArrayTensor(data.clone(), shape);
    }

    /** Adopts a heap array that holds exactly the weight (e.g. widened from F16) instead of copying it again. */
    @Override
    public Tensor weight(FloatBuffer data, int... shape) {
        if (data.hasArray() && data.arrayOffset() == 0 && data.position() == 0
                && data.array().length == Shapes.size(shape)) {
            return new ArrayTensor(data.array(), false, shape);
        }
        float[] copy = new float[Shapes.intSize(shape)];
        data.duplicate().get(copy);
        return new ArrayTensor(copy, false, shape); // weights live as long as their model: never recycled
    }

    @Override
    public float[] toArray(Tensor t) {
        ArrayTensor p = ArrayTensor.of(t);
        return p.contiguous() ? p.data.clone() : p.compact();
    }

    /** A cache allocated once at its capacity; attention kernels may read its views in place. */
    @Override
    public KvCache newKvCache(int batch, int heads, int headSize, int capacity) {
        return new ArrayKvCache(batch, heads, headSize, capacity);
    }

    // ----------------------------------------------------------------------------------------------- moving data

    @Override
    public Tensor gatherRows(Tensor table, int[] ids, int... prefix) {
        if (Shapes.size(prefix) != ids.length) {
            throw new IllegalArgumentException(
                    ids.length + " ids do not fill the shape " + Arrays.toString(prefix));
        }
        int n = table.dim(0);
        int c = table.dim(1);
        float[] src = data(table);
        float[] out = newArrayToOverwrite(ids.length * c);
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= n) {
                throw new IndexOutOfBoundsException("row " + ids[i] + " outside [0, " + n + ")");
            }
            System.arraycopy(src, ids[i] * c, out, i * c, c);
        }
        int[] shape = Arrays.copyOf(prefix, prefix.length + 1);
        shape[prefix.length] = c;
        return new ArrayTensor(out, shape);
    }

    @Override
    public Tensor slice(Tensor x, int axis, int from, int to) {
        int[] shape = x.shape();
        int ax = Shapes.axis(axis, shape.length);
        if (from < 0 || to > shape[ax] || from > to) {
            throw new IndexOutOfBoundsException("slice [" + from + ", " + to + ") of axis size " + shape[ax]);
        }
        int outer = Shapes.intSize(Arrays.copyOf(shape, ax));
        int inner = Shapes.intSize(Arrays.copyOfRange(shape, ax + 1, shape.length));
        int[] outShape = shape.clone();
        outShape[ax] = to - from;
        float[] in = data(x);
        float[] out = newArrayToOverwrite(Shapes.intSize(outShape));
        int chunk = (to - from) * inner;
        for (int o = 0; o < outer; o++) {
            System.arraycopy(in, (o * shape[ax] + from) * inner, out, o * chunk, chunk);
        }
        return new ArrayTensor(out, outShape);
    }

    @Override
    public Tensor concat(Tensor a, Tensor b, int axis) {
        int[] sa = a.shape();
        int[] sb = b.shape();
        int ax = Shapes.axis(axis, sa.length);
        int[] check = sb.clone();
        check[ax] = sa[ax];
        Shapes.require("concat", check, sa);
        int outer = Shapes.intSize(Arrays.copyOf(sa, ax));
        int inner = Shapes.intSize(Arrays.copyOfRange(sa, ax + 1, sa.length));
        int[] outShape = sa.clone();
        outShape[ax] = sa[ax] + sb[ax];
        float[] x = data(a);
        float[] y = data(b);
        float[] out = newArrayToOverwrite(x.length + y.length);
        int ca = sa[ax] * inner;
        int cb = sb[ax] * inner;
        for (int o = 0; o < outer; o++) {
            System.arraycopy(x, o * ca, out, o * (ca + cb), ca);
            System.arraycopy(y, o * cb, out, o * (ca + cb) + ca, cb);
        }
        return new ArrayTensor(out, outShape);
    }

    @Override
    public Tensor splitHeads(Tensor x, int heads) {
        Shapes.requireSplitHeads(x, heads);
        int b = x.dim(0);
        int t = x.dim(1);
        int c = x.dim(2);
        int a = c / heads;
        float[] in = data(x);
        float[] out = newArrayToOverwrite(in.length);
        for (int bi = 0; bi < b; bi++) {
            for (int h = 0; h < heads; h++) {
                for (int ti = 0; ti < t; ti++) {
                    System.arraycopy(in, (bi * t + ti) * c + h * a, out, ((bi * heads + h) * t + ti) * a, a);
                }
            }
        }
        return new ArrayTensor(out, b, heads, t, a);
    }

    @Override
    public Tensor mergeHeads(Tensor x) {
        Shapes.requireMergeHeads(x);
        int b = x.dim(0);
        int heads = x.dim(1);
        int t = x.dim(2);
        int a = x.dim(3);
        int c = heads * a;
        float[] in = data(x);
        float[] out = newArrayToOverwrite(in.length);
        for (int bi = 0; bi < b; bi++) {
            for (int h = 0; h < heads; h++) {
                for (int ti = 0; ti < t; ti++) {
                    System.arraycopy(in, ((bi * heads + h) * t + ti) * a, out, (bi * t + ti) * c + h * a, a);
                }
            }
        }
        return new ArrayTensor(out, b, t, c);
    }

    // ----------------------------------------------------------------------------------------------- checks

    /** Refuses q [B, H, Tq, A] and k [B, H, Tk, A] that do not fit, or an offset that leaves queries without keys. */
    protected static void requireAttention(String op, Tensor q, Tensor k, int offset) {
        if (q.rank() != 4 || k.rank() != 4 || k.dim(3) != q.dim(3) || k.dim(0) * k.dim(1) != q.dim(0) * q.dim(1)
                || offset < 0 || offset + q.dim(2) > k.dim(2)) {
            throw new IllegalArgumentException(op + ": q " + Arrays.toString(q.shape()) + ", k "
                    + Arrays.toString(k.shape()) + ", offset " + offset);
        }
    }

    /** Refuses values v that are not [B, H, Tk, A] like the keys k. */
    protected static void requireValues(String op, Tensor k, Tensor v) {
        if (v.rank() != 4 || v.dim(2) != k.dim(2) || v.dim(3) != k.dim(3) || v.dim(0) * v.dim(1) != k.dim(0) * k.dim(1)) {
            throw new IllegalArgumentException(op + ": k " + Arrays.toString(k.shape()) + ", v "
                    + Arrays.toString(v.shape()));
        }
    }

    /** Refuses weights p [B, H, Tq, Tk] and values v [B, H, Tk, A] that do not fit. */
    protected static void requireMix(Tensor p, Tensor v) {
        if (p.rank() != 4 || v.rank() != 4 || v.dim(2) != p.dim(3) || v.dim(0) * v.dim(1) != p.dim(0) * p.dim(1)) {
            throw new IllegalArgumentException("attentionMix: p " + Arrays.toString(p.shape()) + ", v "
                    + Arrays.toString(v.shape()));
        }
    }
}
