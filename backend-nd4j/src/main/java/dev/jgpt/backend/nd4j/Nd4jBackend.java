package dev.jgpt.backend.nd4j;

import dev.jgpt.api.AttentionBatch;
import dev.jgpt.api.DType;
import dev.jgpt.api.DecomposedAttention;
import dev.jgpt.api.Gelu;
import dev.jgpt.api.KvCache;
import dev.jgpt.api.KvCacheSpec;
import dev.jgpt.api.Shapes;
import dev.jgpt.api.Tensor;
import dev.jgpt.api.TensorBackend;
import dev.jgpt.api.WeightData;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erfc;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The ND4J backend: tensors are float32, c-order (row-major) off-heap {@link INDArray}s, and every operation is one or
 * a few ND4J ops (BLAS sgemm, batched matmul, broadcast arithmetic, native transforms). Weights are widened to float32
 * when they are loaded; the KV cache is off-heap ({@link Nd4jKvCache}) and attention reads it in place
 * ({@link Nd4jAttention}).
 *
 * <p>Every result owns its memory (an op writes into a fresh array, through a reshaped or strided view of it where
 * the op wants another shape), so no tensor is a view of another and each may be {@link #release released} alone.
 * No workspaces are used and no state is shared between calls, so the backend is safe to use from several threads;
 * off-heap memory stays flat over a long generation because the model releases every intermediate, every temporary
 * is freed at once, and the cache is allocated once.
 *
 * <p>Not batch-invariant: OpenBLAS picks its sgemm kernel and blocking by the problem's size, so a row's product may
 * round differently with another number of rows in the batch.
 *
 * <p>Native threads are configured once per process by {@link Nd4jThreads}: one OpenMP thread for libnd4j's small
 * ops (its default of one per core made a decode step 4-6× slower on a loaded machine), and the cores for BLAS.
 */
public final class Nd4jBackend implements TensorBackend {
    private static final DataType F32 = DataType.FLOAT;
    /** √(2/π) of the tanh GELU, doubled: 0.5·(1 + tanh(u)) = sigmoid(2u). */
    private static final double TWO_SQRT_2_OVER_PI = 2.0 * Math.sqrt(2.0 / Math.PI);
    private static final double MINUS_INV_SQRT_2 = -1.0 / Math.sqrt(2.0);

    /** Sets ND4J's native thread counts once per process (see {@link Nd4jThreads}). */
    public Nd4jBackend() {
        Nd4jThreads.configure();
    }

    // ----------------------------------------------------------------------------------------------- data in and out

    /** Copies {@code data} (row-major, ∏ shape floats) into a fresh off-heap buffer, through its NIO view. */
    @Override
    public Tensor fromArray(float[] data, int... shape) {
        if (data.length != Shapes.size(shape)) {
            throw new IllegalArgumentException(
                    "data length " + data.length + " does not match shape " + Arrays.toString(shape));
        }
        return new Nd4jTensor(copyOf(FloatBuffer.wrap(data), shape), shape);
    }

    /**
     * The weight as a float32 off-heap array of its shape (matrices [out, in], kept in that layout: see
     * {@link Nd4jMatmul}). F32 is one bulk NIO copy straight from the (possibly memory-mapped) bytes; other dtypes
     * are widened first ({@link WeightData#toFloats()}).
     */
    @Override
    public Tensor weight(WeightData w) {
        int[] shape = w.shape();
        if (w.dtype() != DType.F32) {
            return fromArray(w.toFloats(), shape);
        }
        FloatBuffer data = w.bytes().duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        return new Nd4jTensor(copyOf(data, shape), shape);
    }

    /** A bulk NIO copy out of the array's buffer, row-major. */
    @Override
    public float[] toArray(Tensor t) {
        float[] out = new float[Shapes.intSize(t.shape())];
        nio(array(t)).get(out);
        return out;
    }

    /** Closes the array, freeing its off-heap buffer now rather than at garbage collection. Twice is harmless. */
    @Override
    public void release(Tensor t) {
        if (!(t instanceof Nd4jTensor)) {
            throw new IllegalArgumentException("not an nd4j tensor: " + t);
        }
        free(((Nd4jTensor) t).array);
    }

    /** False: OpenBLAS's sgemm blocks by problem size, so a row's result can depend on the batch around it. */
    @Override
    public boolean batchInvariant() {
        return false;
    }

    // ---------------------------------------------------------------------------------------------------- primitives

    /** {@code out[i, :] = table[ids[i], :]}: table [R, C] → [ids.length, C], one bulk NIO copy per row. */
    @Override
    public Tensor gatherRows(Tensor table, int[] ids) {
        if (table.rank() != 2) {
            throw new IllegalArgumentException("gatherRows: table must be [R, C] but is "
                    + Arrays.toString(table.shape()));
        }
        int r = table.dim(0);
        int c = table.dim(1);
        for (int id : ids) {
            if (id < 0 || id >= r) {
                throw new IndexOutOfBoundsException("gatherRows: row " + id + " outside [0, " + r + ")");
            }
        }
        INDArray out = uninitialized(ids.length, c);
        FloatBuffer from = nio(array(table));
        FloatBuffer to = nio(out);
        for (int id : ids) {
            from.limit(id * c + c).position(id * c);
            to.put(from);
        }
        return new Nd4jTensor(out, ids.length, c);
    }

    /** {@code a + b}, b shaped like a or [C] (broadcast over the rows): {@code INDArray.add}. Shape of a. */
    @Override
    public Tensor add(Tensor a, Tensor b) {
        Shapes.requireSuffix("add", a.shape(), b.shape());
        INDArray x = array(a);
        INDArray y = array(b);
        if (a.size() == 0) {
            return empty(a.shape());
        }
        return new Nd4jTensor(owned(x.add(y)), a.shape());
    }

    /**
     * {@code out[n, m] = Σ_k x[n, k] · w[m, k]}: x [N, K] by w [M, K] → [N, M], one BLAS sgemm (or one per block of
     * output columns on several threads, for a large product: {@link Nd4jMatmul}).
     */
    @Override
    public Tensor matmul(Tensor x, Tensor w) {
        return Nd4jMatmul.product(x, w);
    }

    /** {@code matmul(x, w) + bias}: x [N, K], w [M, K], bias [M] or null → [N, M]; the bias added in place. */
    @Override
    public Tensor linear(Tensor x, Tensor w, Tensor bias) {
        if (bias != null) {
            Shapes.require("linear bias", bias.shape(), w.dim(0));
        }
        Tensor y = matmul(x, w);
        if (bias != null && y.size() > 0) {
            array(y).reshape(Shapes.rows(y.shape()), w.dim(0)).addiRowVector(array(bias));
        }
        return y;
    }

    /**
     * {@code (x − μ) / √(σ² + eps) · gamma + beta} per row of x [N, C]: row {@code mean} and biased {@code var}
     * reductions, then {@code subiColumnVector}, {@code diviColumnVector} by {@code sqrt(var + eps)},
     * {@code muliRowVector(gamma)} and {@code addiRowVector(beta)} in place on the result [N, C].
     */
    @Override
    public Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
        int c = Shapes.requireLayerNorm(x, gamma, beta);
        INDArray whole = array(x);
        if (x.size() == 0) {
            return empty(x.shape());
        }
        int rows = Shapes.rows(x.shape());
        INDArray in = whole.reshape(rows, c);
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
     * GELU elementwise, composed from scalar ops and one transform, because ND4J's own {@code GELU} op is the
     * sigmoid approximation x·σ(1.702x) and its {@code PreciseGELU} matches neither form. TANH: x·{@code sigmoid}(2u)
     * with u = √(2/π)·(x + 0.044715·x³), which equals 0.5·x·(1 + tanh(u)) without the cancellation of 1 + tanh(u)
     * for negative x. ERF: 0.5·x·{@code erfc}(−x/√2), which equals 0.5·x·(1 + erf(x/√2)).
     */
    @Override
    public Tensor gelu(Tensor x, Gelu form) {
        INDArray in = array(x);
        if (x.size() == 0) {
            return empty(x.shape());
        }
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

    /** {@code exp(x − max) / Σ exp(x − max)} per row (the last axis), the native {@code softmax} op; exp(−∞) = 0. */
    @Override
    public Tensor softmax(Tensor x) {
        INDArray in = array(x);
        if (x.size() == 0) {
            return empty(x.shape());
        }
        INDArray out = uninitialized(x.shape());
        Nd4j.exec(new SoftMax(in, out, x.rank() - 1));
        return new Nd4jTensor(out, x.shape());
    }

    // ----------------------------------------------------------------------------------------------------- attention

    /** Off-heap storage, [slots, C] of keys and of values per layer ({@link Nd4jKvCache}). */
    @Override
    public KvCache newKvCache(KvCacheSpec spec) {
        return new Nd4jKvCache(spec);
    }

    /**
     * Causal self-attention, qkv [N, 3C] → [N, C]: {@link DecomposedAttention}'s math as two batched matmuls, a
     * mask and a softmax per sequence of the batch, over the cache in place ({@link Nd4jAttention}). A cache this
     * backend did not make goes through {@link DecomposedAttention} on the host.
     */
    @Override
    public Tensor attention(Tensor qkv, AttentionBatch batch, KvCache cache, int layer) {
        if (cache instanceof Nd4jKvCache) {
            return Nd4jAttention.forward(qkv, batch, (Nd4jKvCache) cache, layer);
        }
        return DecomposedAttention.forward(this, qkv, batch, cache, layer);
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
        int n = Shapes.intSize(shape);
        if (data.remaining() < n) {
            throw new IllegalArgumentException(data.remaining() + " floats for shape " + Arrays.toString(shape));
        }
        INDArray out = uninitialized(shape);
        FloatBuffer src = data.duplicate();
        src.limit(src.position() + n);
        nio(out).put(src);
        return out;
    }

    /**
     * An empty result of that shape (some dimension 0). ND4J refuses most ops on empty arrays, and its softmax
     * crashes the JVM on one, so the ops answer an empty input here without running ND4J.
     */
    static Tensor empty(int[] shape) {
        return new Nd4jTensor(uninitialized(shape), shape);
    }

    /** A fresh float32 c-order array, contents undefined. */
    static INDArray uninitialized(int... shape) {
        return Nd4j.createUninitialized(F32, Arrays.stream(shape).asLongStream().toArray(), 'c');
    }

    /**
     * The array's whole buffer as native-order floats, position 0 (the array must own a c-order buffer); an empty
     * buffer for an empty array, which has none.
     */
    static FloatBuffer nio(INDArray a) {
        if (a.isEmpty()) {
            return FloatBuffer.allocate(0);
        }
        return a.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /** {@code a} itself when it owns a c-order buffer, else a c-order copy. */
    private static INDArray owned(INDArray a) {
        return a.isView() || a.ordering() != 'c' ? a.dup('c') : a;
    }

    /** Frees arrays now rather than at garbage collection (views and closed arrays are skipped). */
    static void free(INDArray... arrays) {
        for (INDArray a : arrays) {
            if (!a.wasClosed() && a.closeable()) {
                a.close();
            }
        }
    }
}
