package dev.jgpt.api;

import java.nio.FloatBuffer;

/**
 * The tensor operations a GPT-2 forward pass needs, and no more.
 *
 * <p>Shapes use these letters: B batch, T time (sequence positions), C channels (embedding width), H heads,
 * A head size (C = H·A), V vocabulary, K and N the in and out widths of a matmul. Tensors are float32 and row-major.
 *
 * <p><b>Writing a backend.</b> Implement the abstract primitives; the fused operations ({@link #linear},
 * {@link #attention}, {@link #newKvCache}) are default methods built from them and may be overridden for speed.
 * A backend must give the same results as the plain reference backend within float32 rounding; the conformance kit
 * in {@code it-tests} checks every method below against a float64 oracle.
 *
 * <p>Operations never modify their inputs; each returns a new tensor (or a view the caller must treat as read-only).
 * A backend must be safe to use from several threads at once as long as they do not share mutable state
 * (tensors are never mutated, so sharing weights is safe).
 */
public interface TensorBackend extends AutoCloseable {

    /** The name users select this backend by (same as its {@link BackendProvider#name()}). */
    String name();

    // ---------------------------------------------------------------------------------------------------------------
    // Data in and out

    /** A tensor holding a copy of {@code data} (row-major) with the given shape; {@code data.length} = ∏ shape. */
    Tensor fromArray(float[] data, int... shape);

    /**
     * A weight tensor from a buffer of {@code ∏ shape} floats starting at the buffer's position (for example a
     * memory-mapped view of a safetensors file). The default copies it through {@link #fromArray}; a backend may keep
     * a view instead, or upload it once to its own memory. Weights live as long as the model. The caller hands the
     * buffer over: it must not modify the buffer's contents afterwards.
     */
    default Tensor weight(FloatBuffer data, int... shape) {
        float[] copy = new float[Shapes.intSize(shape)];
        data.duplicate().get(copy);
        return fromArray(copy, shape);
    }

    /** A copy of the tensor's elements, row-major. This is how results (logits, traces) come back to the host. */
    float[] toArray(Tensor t);

    /**
     * Tells the backend a tensor is no longer needed, so off-heap memory can be freed early. Optional: the default
     * does nothing, and a released tensor must not be used again.
     */
    default void release(Tensor t) {
    }

    /** Frees whatever the backend holds. The default does nothing. */
    @Override
    default void close() {
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Primitives

    /**
     * Embedding lookup: {@code out[i, :] = table[ids[i], :]}.
     *
     * @param table  [N, C]
     * @param ids    row indices, each in [0, N)
     * @param prefix the leading shape of the result; ∏ prefix = ids.length (e.g. {B, T})
     * @return [...prefix, C]
     */
    Tensor gatherRows(Tensor table, int[] ids, int... prefix);

    /**
     * Elementwise sum with broadcasting of {@code b} over leading dimensions: {@code b}'s shape must equal a trailing
     * suffix of {@code a}'s (same shape for a residual add, [C] for a bias, [T, C] for position embeddings).
     *
     * @return shape of {@code a}
     */
    Tensor add(Tensor a, Tensor b);

    /**
     * Matrix product over the last axis: {@code out[..., n] = Σ_k x[..., k] · w[k, n]}. Weights are stored [in, out]
     * as GPT-2's Conv1D stores them.
     *
     * @param x [..., K]
     * @param w [K, N]
     * @return [..., N]
     */
    Tensor matmul(Tensor x, Tensor w);

    /**
     * Matrix product with a weight stored transposed, [out, in] (PyTorch's {@code nn.Linear} layout, and the layout of
     * the token embedding {@code wte} [V, C] that a tied LM head multiplies by):
     * {@code out[..., n] = Σ_k x[..., k] · w[n, k]}.
     *
     * <p>The default transposes {@code w} on the host at every call, which is correct everywhere but slow for large
     * weights; backends override it.
     *
     * @param x [..., K]
     * @param w [N, K]
     * @return [..., N]
     */
    default Tensor matmulTransposed(Tensor x, Tensor w) {
        int n = w.dim(0);
        int k = w.dim(1);
        float[] src = toArray(w);
        float[] t = new float[src.length];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < k; j++) {
                t[j * n + i] = src[i * k + j];
            }
        }
        Tensor wt = fromArray(t, k, n);
        Tensor out = matmul(x, wt);
        release(wt);
        return out;
    }

    /**
     * Layer normalisation over the last axis: with μ and σ² the mean and (biased) variance of the row,
     * {@code out = (x − μ) / √(σ² + eps) · gamma + beta}.
     *
     * @param x     [..., C]
     * @param gamma [C]
     * @param beta  [C], or null for none
     * @return [..., C]
     */
    Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps);

    /**
     * GELU, elementwise, in the given form (see {@link Gelu}).
     *
     * @return shape of {@code x}
     */
    Tensor gelu(Tensor x, Gelu form);

    /**
     * Softmax over the last axis, computed stably: {@code out = exp(x − max) / Σ exp(x − max)}. Entries of −∞ get
     * probability 0; a row must hold at least one finite entry.
     *
     * @return shape of {@code x}
     */
    Tensor softmax(Tensor x);

    /**
     * The slice {@code [from, to)} of one axis, all other axes whole (a copy or a read-only view).
     *
     * @param axis may be negative, counting from the end
     */
    Tensor slice(Tensor x, int axis, int from, int to);

    /**
     * Concatenation along one axis; all other dimensions must agree. Used to grow a KV cache along T.
     *
     * @param axis may be negative, counting from the end
     */
    Tensor concat(Tensor a, Tensor b, int axis);

    /**
     * Splits channels into heads: {@code out[b, h, t, a] = x[b, t, h·A + a]}.
     *
     * @param x [B, T, C] with C divisible by {@code heads}
     * @return [B, H, T, A]
     */
    Tensor splitHeads(Tensor x, int heads);

    /**
     * Inverse of {@link #splitHeads}: heads concatenated, {@code out[b, t, h·A + a] = x[b, h, t, a]}.
     *
     * @param x [B, H, T, A]
     * @return [B, T, H·A]
     */
    Tensor mergeHeads(Tensor x);

    /**
     * Causal attention scores. Query i sits at absolute position {@code offset + i} (offset = number of positions
     * already in a KV cache before these queries), key j at position j. Then
     * {@code out[b, h, i, j] = scale · Σ_a q[b, h, i, a] · k[b, h, j, a]} when {@code j ≤ offset + i}, and −∞ when
     * the key lies in the query's future (the causal mask).
     *
     * @param q [B, H, Tq, A]
     * @param k [B, H, Tk, A] with Tk ≥ offset + Tq
     * @param scale usually 1/√A
     * @return [B, H, Tq, Tk]
     */
    Tensor attentionScores(Tensor q, Tensor k, float scale, int offset);

    /**
     * Weighted sum of values: {@code out[b, h, i, a] = Σ_j p[b, h, i, j] · v[b, h, j, a]}.
     *
     * @param p [B, H, Tq, Tk] (rows of attention probabilities)
     * @param v [B, H, Tk, A]
     * @return [B, H, Tq, A]
     */
    Tensor attentionMix(Tensor p, Tensor v);

    // ---------------------------------------------------------------------------------------------------------------
    // Fused operations: defaults built from the primitives; override for speed.

    /**
     * A linear layer: {@code matmul(x, w) + bias}.
     *
     * @param x    [..., K]
     * @param w    [K, N]
     * @param bias [N], or null for none
     * @return [..., N]
     */
    default Tensor linear(Tensor x, Tensor w, Tensor bias) {
        Tensor y = matmul(x, w);
        if (bias == null) {
            return y;
        }
        Tensor out = add(y, bias);
        release(y);
        return out;
    }

    /**
     * Causal scaled dot-product attention: {@code attentionMix(softmax(attentionScores(q, k, scale, offset)), v)}.
     *
     * @param q [B, H, Tq, A]
     * @param k [B, H, Tk, A]
     * @param v [B, H, Tk, A]
     * @return [B, H, Tq, A]
     */
    default Tensor attention(Tensor q, Tensor k, Tensor v, float scale, int offset) {
        Tensor scores = attentionScores(q, k, scale, offset);
        Tensor p = softmax(scores);
        release(scores);
        Tensor y = attentionMix(p, v);
        release(p);
        return y;
    }

    /**
     * A key/value cache for one attention layer, holding up to {@code capacity} positions of [B, H, ·, A] keys and
     * values. The default grows by {@link #concat} along T; a backend may preallocate instead.
     */
    default KvCache newKvCache(int batch, int heads, int headSize, int capacity) {
        return new ConcatKvCache(this, capacity);
    }
}
