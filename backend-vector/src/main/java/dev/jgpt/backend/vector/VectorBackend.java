package dev.jgpt.backend.vector;

import static dev.jgpt.backend.vector.VectorMatmul.L;

import dev.jgpt.api.AttentionBatch;
import dev.jgpt.api.DType;
import dev.jgpt.api.Gelu;
import dev.jgpt.api.KvCache;
import dev.jgpt.api.KvCacheSpec;
import dev.jgpt.api.Tensor;
import dev.jgpt.api.WeightData;
import dev.jgpt.backend.array.ArrayTensor;
import dev.jgpt.backend.array.Parallel;
import dev.jgpt.backend.array.ParallelArrayBackend;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Vector API backend: heap {@code float[]} tensors ({@link dev.jgpt.backend.array.ArrayBackend} moves the data),
 * with arithmetic in explicit SIMD ({@code jdk.incubator.vector}, 16 float lanes per instruction with AVX-512, fused
 * multiply-add) split across the machine's cores. It exists for speed: HotSpot 17 does not vectorise a plain Java
 * one-row matmul, so a decode step there is bound by scalar arithmetic, here by memory. Weights are computed on in
 * every {@link DType} as stored ({@link CompactWeight}: F16 and BF16 in half the bytes of F32, Q8_0 and Q4_0 in
 * about a quarter and a sixth), decoded exactly, so that each dtype gives the bits of float32 on its dequantized
 * values.
 *
 * <p>Its sums run in another order than the plain reference and use fused multiply-adds, so it agrees with the
 * float64 oracle to rounding (the conformance kit's tolerances). It is batch-invariant: a matmul computes every
 * output element by one fixed sequence of operations whatever the number of rows ({@link VectorMatmul}, or
 * {@link NarrowMatmul} for weights with few inputs: chosen by the weight's shape, never by the batch), and
 * attention computes each token's heads from that token's query and its own sequence's cache alone
 * ({@link VectorAttention}), so a sequence gets the same bits alone and in any batch. The row kernels see one row
 * (or one element) at a time, and their exp ({@link VectorRows#exp}) gives the same bits in a vector lane as in the
 * scalar loop after it, compiled or interpreted (the Vector API's own EXP and TANH do not).
 *
 * <p>The JVM must resolve {@code jdk.incubator.vector} ({@code --add-modules jdk.incubator.vector}; {@code ./gpt}
 * and the build do), or {@link VectorBackendProvider} reports the backend unavailable. Threads:
 * {@code -Djgpt.vector.threads=N} (default: all available processors).
 */
public final class VectorBackend extends ParallelArrayBackend {
    static final String NAME = "vector";
    /**
     * Below this many multiply-adds (or comparable units) an operation runs on the calling thread: SIMD does 16 per
     * instruction, so handing a small loop to the pool costs more than it saves.
     */
    static final long MIN_PARALLEL_WORK = 1L << 18;
    /** The [in, out] copies of the weights {@link NarrowMatmul} computes with, by weight (identity). */
    private final Map<Tensor, float[]> transposed = new ConcurrentHashMap<>();

    /** A backend on {@code -Djgpt.vector.threads} threads, or all available processors. */
    public VectorBackend() {
        this(Integer.getInteger("jgpt.vector.threads", Runtime.getRuntime().availableProcessors()));
    }

    /** A backend on {@code threads} threads (1 runs everything on the caller). */
    public VectorBackend(int threads) {
        super(new Parallel(threads, Long.getLong("jgpt.vector.minParallelWork", MIN_PARALLEL_WORK)), true);
    }

    /** Floats per vector on this machine (16 with AVX-512, 8 with AVX2). */
    public static int lanes() {
        return L;
    }

    /** Every output element of every operation is computed in one fixed order, whoever else is in the batch. */
    @Override
    public boolean batchInvariant() {
        return true;
    }

    @Override
    public Tensor add(Tensor a, Tensor b) {
        return addByRows(a, b, VectorRows::addRow);
    }

    /** Every dtype is computed on as stored (matrices; see {@link #weight}). */
    @Override
    public Set<DType> weightTypes() {
        return EnumSet.allOf(DType.class);
    }

    /**
     * A matrix of a compact dtype is kept as a {@link CompactWeight} (about its dtype's bytes; {@link VectorMatmul}
     * decodes it exactly where it is used). Vectors, and matrices with few inputs ({@link NarrowMatmul}: a float32
     * [in, out] copy, made at load, whatever the dtype; such weights are small), are widened to float32.
     */
    @Override
    public Tensor weight(WeightData w) {
        boolean matrix = w.shape().length == 2;
        if (w.dtype() != DType.F32 && matrix && !NarrowMatmul.fits(w.dim(0), w.dim(1))) {
            return CompactWeight.of(w);
        }
        Tensor t = widened(w);
        if (matrix && NarrowMatmul.fits(t.dim(0), t.dim(1))) {
            transposed.put(t, NarrowMatmul.transpose(ArrayTensor.of(t).data, t.dim(0), t.dim(1)));
        }
        return t;
    }

    @Override
    public void release(Tensor t) {
        transposed.remove(t);
        super.release(t);
    }

    @Override
    public Tensor matmul(Tensor x, Tensor w) {
        return linear(x, w, null);
    }

    /**
     * The bias is added to each finished sum: no second pass over the output. Weights with few inputs go to
     * {@link NarrowMatmul} (rows split over the threads), the rest to {@link VectorMatmul} (weight rows split), compact
     * ones decoded there.
     */
    @Override
    public Tensor linear(Tensor x, Tensor w, Tensor bias) {
        if (w instanceof CompactWeight c) {
            return productBound(x, c, bias, VectorMatmul.GROUP,
                    (a, b, out, k, m, r0, r1, j0, j1) -> VectorMatmul.product(a, c, b, out, k, m, r0, r1, j0, j1));
        }
        float[] wt = transposed.get(w);
        if (wt == null) {
            return product(x, w, bias, VectorMatmul.GROUP, VectorMatmul::product);
        }
        return productByRows(x, w, wt, bias, NarrowMatmul.TILE_ROWS,
                (a, t, b, out, k, m, r0, r1, j0, j1) -> NarrowMatmul.product(a, t, b, out, k, m, r0, r1));
    }

    @Override
    public Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
        return layerNormByRows(x, gamma, beta, eps, VectorRows::layerNormRow);
    }

    @Override
    public Tensor gelu(Tensor x, Gelu form) {
        return geluByRanges(x, form, VectorRows::geluTanh);
    }

    @Override
    public Tensor softmax(Tensor x) {
        return softmaxByRows(x, VectorRows::softmaxRow);
    }

    /** Keys stored channel-major, so that attention scores are vertical multiply-adds ({@link VectorKvCache}). */
    @Override
    public KvCache newKvCache(KvCacheSpec spec) {
        return new VectorKvCache(spec);
    }

    @Override
    protected HeapBlocks heapBlocks(KvCache cache) {
        if (cache instanceof VectorKvCache own) {
            return new HeapBlocks(own::keyBlock, own::valueBlock);
        }
        return super.heapBlocks(cache);
    }

    /** Scores, softmax and mix per (token, head) in one pass, reading the cache's blocks in place. */
    @Override
    public Tensor attention(Tensor qkv, AttentionBatch batch, KvCache cache, int layer) {
        return attentionByHeads(qkv, batch, cache, layer,
                cache instanceof VectorKvCache ? VectorAttention::headOverColumns : VectorAttention::head);
    }
}
