package dev.jgpt.backend.nd4j;

import dev.jgpt.api.Gelu;
import dev.jgpt.api.KvCache;
import dev.jgpt.api.Shapes;
import dev.jgpt.api.Tensor;
import dev.jgpt.api.TensorBackend;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erfc;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The ND4J backend: tensors are float32, c-order (row-major) off-heap {@link INDArray}s, and every operation is one or
 * a few ND4J ops (BLAS gemm, batched matmul, broadcast arithmetic, native transforms).
 *
 * <p>Every result owns its memory: an op writes into a fresh array (through a reshaped view of it where the op wants
 * another rank), so no tensor handed out is a view of another and each may be {@link #release released} alone.
 * No workspaces are used and no state is shared between calls, so the backend is safe to use from several threads;
 * off-heap memory stays flat over a long generation because the model releases every intermediate and the
 * {@link Nd4jKvCache KV cache} is allocated once. The exceptions to "owns its memory" are the cache's views.
 *
 * <p>Native threads are configured once per process by {@link Nd4jThreads}: one OpenMP thread for libnd4j's small
 * ops (its default of one per core made a decode step 4-6× slower on a loaded machine), and the cores for BLAS.
 */
public final class Nd4jBackend implements TensorBackend {
    static final String NAME = "nd4j";

    private static final DataType F32 = DataType.FLOAT;
    /** √(2/π) of the tanh GELU, doubled: 0.5·(1 + tanh(u)) = sigmoid(2u). */
    private static final double TWO_SQRT_2_OVER_PI = 2.0 * Math.sqrt(2.0 / Math.PI);
    private static final double MINUS_INV_SQRT_2 = -1.0 / Math.sqrt(2.0);

    /** Sets ND4J's native thread counts once per process (see {@link Nd4jThreads}). */
    public Nd4jBackend() {
        Nd4jThreads.configure();
    }

    @Override
    public String name() {
        return NAME;
    }

    /** A cache allocated once at its capacity, off-heap; appends copy into place (no concat per step). */
    @Override
    public KvCache newKvCache(int batch, int heads, int headSize, int capacity) {
        return new Nd4jKvCache(batch, heads, headSize, capacity);
    }

    // ----------------------------------------------------------------------------------------------- data in and out

    /** Copies the array into a fresh off-heap buffer (through its NIO view). */
    @Override
    public Tensor fromArray(float[] data, int... shape) {
        if (data.length != Shapes.size(shape)) {
            throw new IllegalArgumentException(
                    "data length " + data.length + " does not match shape " + Arrays.toString(shape));
        }
        return upload(FloatBuffer.wrap(data), shape);
    }

    /** Uploads the weight once: one bulk NIO copy from the (possibly memory-mapped) buffer into an off-heap array. */
    @Override
    public Tensor weight(FloatBuffer data, int... shape) {
        if (data.remaining() < Shapes.size(shape)) {
            throw new IllegalArgumentException(data.remaining() + " floats left in the buffer, but shape "
                    + Arrays.toString(shape) + " needs " + Shapes.size(shape));
        }
        return upload(data, shape);
    }

    private static Tensor upload(FloatBuffer data, int[] shape) {
        return new Nd4jTensor(copyOf(data, shape), shape);
    }

    /** A bulk NIO copy out of the array's buffer (after {@code dup('c')} if it were ever a view). */
    @Override
    public float[] toArray(Tensor t) {
        INDArray a = array(t);
        INDArray c = a.isView() || a.ordering() != 'c' ? a.dup('c') : a;
        float[] out = new float[Shapes.intSize(t.shape())];
        nio(c).get(out);
        if (c != a) {
            free(c);
        }
        return out;
    }

    /** Closes the array, freeing its off-heap buffer now rather than at garbage collection. */
    @Override
    public void release(Tensor t) {
        if (!(t instanceof Nd4jTensor)) {
            throw new IllegalArgumentException("not an nd4j tensor: " + t);
        }
        Nd4jTensor n = (Nd4jTensor) t;
        if (n.owner && !n.array.wasClosed() && n.array.closeable()) {
            n.array.close();
        }
    }

    // ---------------------------------------------------------------------------------------------------- primitives

    /** Row copies from the table's buffer into the result ({@code Nd4j.pullRows} for a table that is not c-order). */
    @Override
    public Tensor gatherRows(Tensor table, int[] ids, int... prefix) {
        if (Shapes.size(prefix) != ids.length) {
            throw new IllegalArgumentException(ids.length + " ids do not fill the shape " + Arrays.toString(prefix));
        }
        if (table.rank() != 2) {
            throw new IllegalArgumentException("gatherRows: table must be [N, C] but is "
                    + Arrays.toString(table.shape()));
        }
        int n = table.dim(0);
        int c = table.dim(1);
        for (int id : ids) {
            if (id < 0 || id >= n) {
                throw new IndexOutOfBoundsException("row " + id + " outside [0, " + n + ")");
            }
        }
        int[] shape = Arrays.copyOf(prefix, prefix.length + 1);
        shape[prefix.length] = c;
        INDArray out = uninitialized(shape);
        INDArray t = array(table);
        if (t.isView() || t.ordering() != 'c') {
            Nd4j.pullRows(t, out.reshape(ids.length, c), 1, ids);
        } else {
            // bulk copies through the NIO buffers: no index buffer for ND4J to allocate (and cache) per call
            FloatBuffer from = nio(t);
            FloatBuffer to = nio(out);
            for (int id : ids) {
                from.limit(id * c + c).position(id * c);
                to.put(from);
            }
        }
        return new Nd4jTensor(out, shape);
    }

    /** {@code INDArray.add}, which broadcasts {@code b} over the leading dimensions of {@code a}. */
    @Override
    public Tensor add(Tensor a, Tensor b) {
        Shapes.requireSuffix("add", a.shape(), b.shape());
        return new Nd4jTensor(owned(array(a).add(array(b))), a.shape());
    }

    /** One BLAS sgemm ({@code Nd4j.matmul}) of x as [rows, K] by w, written into the result. */
    @Override
    public Tensor matmul(Tensor x, Tensor w) {
        return Nd4jMatmul.product("matmul", x, w, w.dim(0), w.dim(1), false);
    }

    /** One BLAS sgemm with w transposed in place (no copy of w), written into the result. */
    @Override
    public Tensor matmulTransposed(Tensor x, Tensor w) {
        return Nd4jMatmul.product("matmulTransposed", x, w, w.dim(1), w.dim(0), true);
    }

    /** {@link #matmul} then {@code addiRowVector(bias)} in place on the product. */
    @Override
    public Tensor linear(Tensor x, Tensor w, Tensor bias) {
        Tensor y = matmul(x, w);
        if (bias != null) {
            int n = w.dim(1);
            Shapes.require("linear bias", bias.shape(), n);
            array(y).reshape(Shapes.rows(y.shape()), n).addiRowVector(array(bias));
        }
        return y;
    }

    /**
     * Row {@code mean} and biased {@code var} reductions over the last axis, then {@code subiColumnVector},
     * {@code diviColumnVector} by {@code sqrt(var + eps)}, {@code muliRowVector(gamma)} and {@code addiRowVector(beta)}
     * in place on the result.
     */
    @Override
    public Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
        int c = Shapes.requireLayerNorm(x, gamma, beta);
        int rows = Shapes.rows(x.shape());
        INDArray in = array(x).reshape(rows, c);
        INDArray out = uninitialized(x.shape());
        INDArray y = out.reshape(rows, c);
        INDArray mean = in.mean(true, 1);
        INDArray variance = in.var(false, 1);
        INDArray std = Transforms.sqrt(variance.reshape(rows, 1).addi(eps), false); // a view of variance
        y.assign(in).subiColumnVector(mean).diviColumnVector(std).muliRowVector(array(gamma));
        if (beta != null) {
            y.addiRowVector(array(beta));
        }
        free(mean, variance); // std is a view: freeing it would leave variance to the garbage collector
        return new Nd4jTensor(out, x.shape());
    }

    /**
     * Composed from scalar ops and one transform, because ND4J's own {@code GELU} op is the sigmoid approximation
     * x·σ(1.702x) and its {@code PreciseGELU} matches neither form. TANH: x·{@code sigmoid}(2u) with
     * u = √(2/π)·(x + 0.044715·x³), which equals 0.5·x·(1 + tanh(u)) without the cancellation of 1 + tanh(u) for
     * negative x. ERF: 0.5·x·{@code erfc}(−x/√2), which equals 0.5·x·(1 + erf(x/√2)), as {@code ScalarMath} does.
     */
    @Override
    public Tensor gelu(Tensor x, Gelu form) {
        INDArray in = array(x);
        INDArray out;
        if (form == Gelu.TANH) {
            INDArray u = in.mul(in).muli(in).muli(0.044715).addi(in).muli(TWO_SQRT_2_OVER_PI);
            out = Transforms.sigmoid(u, false).muli(in);
        } else {
            INDArray u = in.mul(MINUS_INV_SQRT_2);
            out = Nd4j.exec(new Erfc(u, u)).muli(in).muli(0.5);
        }
        return new Nd4jTensor(owned(out), x.shape());
    }

    /** The native {@code softmax} op over the last axis (it subtracts the row max; exp(−∞) gives 0). */
    @Override
    public Tensor softmax(Tensor x) {
        INDArray out = uninitialized(x.shape());
        Nd4j.exec(new SoftMax(array(x), out, x.rank() - 1));
        return new Nd4jTensor(out, x.shape());
    }

    /** {@code INDArray.get} with an interval on the axis, then {@code dup('c')}: a copy, never a view. */
    @Override
    public Tensor slice(Tensor x, int axis, int from, int to) {
        int[] shape = x.shape();
        int ax = Shapes.axis(axis, shape.length);
        if (from < 0 || to > shape[ax] || from > to) {
            throw new IndexOutOfBoundsException("slice [" + from + ", " + to + ") of axis size " + shape[ax]);
        }
        INDArrayIndex[] index = new INDArrayIndex[shape.length];
        for (int i = 0; i < index.length; i++) {
            index[i] = i == ax ? NDArrayIndex.interval(from, to) : NDArrayIndex.all();
        }
        int[] outShape = shape.clone();
        outShape[ax] = to - from;
        return new Nd4jTensor(array(x).get(index).dup('c'), outShape);
    }

    /** {@code Nd4j.concat} along the axis. */
    @Override
    public Tensor concat(Tensor a, Tensor b, int axis) {
        int[] sa = a.shape();
        int[] sb = b.shape();
        int ax = Shapes.axis(axis, sa.length);
        int[] check = sb.clone();
        check[ax] = sa[ax];
        Shapes.require("concat", check, sa);
        int[] outShape = sa.clone();
        outShape[ax] = sa[ax] + sb[ax];
        return new Nd4jTensor(owned(Nd4j.concat(ax, array(a), array(b))), outShape);
    }

    /** {@code reshape} to [B, T, H, A], {@code permute(0, 2, 1, 3)}, and {@code assign} into a c-order result. */
    @Override
    public Tensor splitHeads(Tensor x, int heads) {
        Shapes.requireSplitHeads(x, heads);
        int b = x.dim(0);
        int t = x.dim(1);
        int a = x.dim(2) / heads;
        INDArray out = uninitialized(b, heads, t, a);
        out.assign(array(x).reshape(b, t, heads, a).permute(0, 2, 1, 3));
        return new Nd4jTensor(out, b, heads, t, a);
    }

    /** {@code permute(0, 2, 1, 3)} and {@code assign} into the result seen as [B, T, H, A]. */
    @Override
    public Tensor mergeHeads(Tensor x) {
        Shapes.requireMergeHeads(x);
        int b = x.dim(0);
        int heads = x.dim(1);
        int t = x.dim(2);
        int a = x.dim(3);
        INDArray out = uninitialized(b, t, heads * a);
        out.reshape(b, t, heads, a).assign(array(x).permute(0, 2, 1, 3));
        return new Nd4jTensor(out, b, t, heads * a);
    }

    /**
     * One batched {@code Nd4j.matmul} of q by kᵀ over the B·H heads, {@code muli(scale)}, then the [Tq, Tk] causal
     * mask (0 or −∞) added by broadcast over the heads. Skipped when nothing is masked (a decode step whose query is
     * the last position).
     */
    @Override
    public Tensor attentionScores(Tensor q, Tensor k, float scale, int offset) {
        return Nd4jAttention.scores(q, k, scale, offset);
    }

    /** One batched {@code Nd4j.matmul} of p by v over the B·H heads, written into the result. */
    @Override
    public Tensor attentionMix(Tensor p, Tensor v) {
        return Nd4jAttention.mix(p, v);
    }

    /** {@link #attentionScores}, the {@code softmax} op in place on the scores, then {@link #attentionMix}. */
    @Override
    public Tensor attention(Tensor q, Tensor k, Tensor v, float scale, int offset) {
        Tensor scores = attentionScores(q, k, scale, offset);
        INDArray s = array(scores);
        Nd4j.exec(new SoftMax(s, s, s.rank() - 1));
        Tensor y = attentionMix(scores, v);
        release(scores);
        return y;
    }

    // ------------------------------------------------------------------------------------------------------- helpers

    /** The array behind a tensor of this backend; refuses foreign and released tensors. */
    static INDArray array(Tensor t) {
        if (!(t instanceof Nd4jTensor)) {
            throw new IllegalArgumentException("not an nd4j tensor: " + t);
        }
        INDArray a = ((Nd4jTensor) t).array;
        if (a.wasClosed()) {
            throw new IllegalStateException("tensor used after release: " + t);
        }
        return a;
    }

    /** A fresh c-order array holding the next ∏ shape floats of {@code data}: one bulk NIO copy. */
    static INDArray copyOf(FloatBuffer data, int[] shape) {
        INDArray out = uninitialized(shape);
        FloatBuffer src = data.duplicate();
        src.limit(src.position() + Shapes.intSize(shape));
        nio(out).put(src);
        return out;
    }

    /** A fresh float32 c-order array, contents undefined. */
    static INDArray uninitialized(int... shape) {
        return Nd4j.createUninitialized(F32, Arrays.stream(shape).asLongStream().toArray(), 'c');
    }

    /** The array's buffer as native-order floats (the array must be c-order and not a view). */
    static FloatBuffer nio(INDArray a) {
        return a.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /** {@code a} itself when it owns a c-order buffer, else a c-order copy. */
    private static INDArray owned(INDArray a) {
        return a.isView() || a.ordering() != 'c' ? a.dup('c') : a;
    }

    /** Frees temporaries now rather than at garbage collection. */
    static void free(INDArray... arrays) {
        for (INDArray a : arrays) {
            if (!a.wasClosed() && a.closeable()) {
                a.close();
            }
        }
    }
}
