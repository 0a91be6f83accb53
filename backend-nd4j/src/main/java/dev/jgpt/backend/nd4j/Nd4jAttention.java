package dev.jgpt.backend.nd4j;

import static dev.jgpt.backend.nd4j.Nd4jBackend.array;
import static dev.jgpt.backend.nd4j.Nd4jBackend.copyOf;
import static dev.jgpt.backend.nd4j.Nd4jBackend.free;
import static dev.jgpt.backend.nd4j.Nd4jBackend.nio;
import static dev.jgpt.backend.nd4j.Nd4jBackend.uninitialized;

import dev.jgpt.api.AttentionBatch;
import dev.jgpt.api.KvCacheSpec;
import dev.jgpt.api.Shapes;
import dev.jgpt.api.Tensor;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The attention of {@link Nd4jBackend} over its {@link Nd4jKvCache}: {@link dev.jgpt.api.DecomposedAttention}'s
 * math, vectorised per sequence of the batch.
 *
 * <p>All tokens' keys and values are first copied into their slots. Then, for each sequence s with tokens
 * n₁ … n_T (in batch order) and context L = max position + 1, with Q [H, T, A], K and V [H, L, A] (positions
 * 0 … L − 1 in order):
 * <pre>
 *   S = Q · Kᵀ · (1/√A)                     one batched matmul over the H heads → [H, T, L]
 *   S[h, i, j] = −∞ for j &gt; position[nᵢ]   the causal mask, [T, L] added over the heads (skipped if nothing is masked)
 *   P = softmax(S) over j                    the native op, in place
 *   Y = P · V                                one batched matmul → [H, T, A], row nᵢ of the result
 * </pre>
 * Q, K and V are copied into fresh [H, ·, A] arrays (one bulk copy of A floats per head and row) and Y copied back
 * into its rows, all freed at once: strided views over the buffers would avoid the copies, but ND4J keeps their
 * bookkeeping alive and memory grew by ~100 MB per 500 nano generations. A sequence with little work (T·L·C below
 * {@link #HOST_WORK}) is attended by float loops over the buffers instead, without native calls.
 */
final class Nd4jAttention {
    private Nd4jAttention() {
    }

    /** qkv [N, 3C] → [N, C] over the cache's layer {@code layer}: see the class comment. */
    static Tensor forward(Tensor qkv, AttentionBatch batch, Nd4jKvCache cache, int layer) {
        Shapes.requireAttention(qkv, batch, cache);
        KvCacheSpec spec = cache.spec();
        int[][] tokens = bySequence(batch);
        int[] context = contexts(batch, tokens);
        checkBlocks(batch, context, spec);
        INDArray in = array(qkv);
        INDArray keys = cache.keys(layer);
        INDArray values = cache.values(layer);
        cache.storeBatch(layer, nio(in), batch);
        INDArray out = uninitialized(batch.tokens(), spec.width());
        for (int s = 0; s < tokens.length; s++) {
            if (tokens[s].length > 0) {
                attend(in, out, keys, values, batch, s, tokens[s], context[s], spec);
            }
        }
        return new Nd4jTensor(out, batch.tokens(), spec.width());
    }

    /**
     * Below this many multiply-adds (T·L·C) a sequence is attended on the host, straight from the buffers: a few
     * native calls per sequence cost more than the arithmetic of a short one (the nano model's decode steps).
     */
    static final long HOST_WORK = 1L << 16;

    /** One sequence's tokens: scores, mask, softmax and mix as in the class comment, written into their rows. */
    private static void attend(INDArray qkv, INDArray out, INDArray keys, INDArray values, AttentionBatch batch,
            int s, int[] tokens, int context, KvCacheSpec spec) {
        int c = spec.width();
        int t = tokens.length;
        if ((long) t * context * c < HOST_WORK) {
            attendOnHost(nio(qkv), nio(out), nio(keys), nio(values), batch, s, tokens, spec);
            return;
        }
        long[] qRows = new long[t];
        for (int i = 0; i < t; i++) {
            qRows[i] = (long) tokens[i] * 3 * c;
        }
        long[] kvRows = new long[context];
        for (int j = 0; j < context; j++) {
            kvRows[j] = (long) batch.slot(s, j) * c;
        }
        INDArray q = heads(nio(qkv), qRows, spec);
        INDArray k = heads(nio(keys), kvRows, spec);
        INDArray v = heads(nio(values), kvRows, spec);
        INDArray scores = uninitialized(spec.heads(), t, context);
        Nd4j.matmul(q, k, scores, false, true, false);
        scores.muli((float) (1.0 / Math.sqrt(spec.headSize())));
        INDArray mask = causalMask(batch, tokens, context);
        if (mask != null) {
            scores.addi(mask);
        }
        Nd4j.exec(new SoftMax(scores, scores, 2));
        INDArray y = uninitialized(spec.heads(), t, spec.headSize());
        Nd4j.matmul(scores, v, y, false, false, false);
        mergeHeads(y, nio(out), tokens, spec);
        for (INDArray temp : new INDArray[] {q, k, v, scores, mask, y}) {
            if (temp != null) {
                free(temp);
            }
        }
    }

    /**
     * A fresh [H, R, A] array: row i of head h is the A floats at {@code rows[i] + h·A} of {@code from}. A copy, not
     * a strided view: ND4J keeps the bookkeeping of views made over a buffer alive, which leaked memory per call.
     */
    private static INDArray heads(FloatBuffer from, long[] rows, KvCacheSpec spec) {
        int h = spec.heads();
        int a = spec.headSize();
        INDArray out = uninitialized(h, rows.length, a);
        FloatBuffer to = nio(out);
        for (int head = 0; head < h; head++) {
            for (long row : rows) {
                int at = (int) row + head * a;
                from.limit(at + a).position(at);
                to.put(from);
            }
        }
        return out;
    }

    /** y [H, T, A] into rows {@code tokens} of the result [N, C], head h at columns h·A. */
    private static void mergeHeads(INDArray y, FloatBuffer out, int[] tokens, KvCacheSpec spec) {
        FloatBuffer from = nio(y);
        int a = spec.headSize();
        int c = spec.width();
        for (int head = 0; head < spec.heads(); head++) {
            for (int i = 0; i < tokens.length; i++) {
                int at = (head * tokens.length + i) * a;
                from.limit(at + a).position(at);
                out.position(tokens[i] * c + head * a);
                out.put(from);
            }
        }
    }

    /** The same math in float loops over the buffers, for sequences too short to pay for native calls. */
    private static void attendOnHost(FloatBuffer qkv, FloatBuffer out, FloatBuffer keys, FloatBuffer values,
            AttentionBatch batch, int s, int[] tokens, KvCacheSpec spec) {
        int c = spec.width();
        int a = spec.headSize();
        float scale = (float) (1.0 / Math.sqrt(a));
        for (int n : tokens) {
            int last = batch.position()[n];
            float[] p = new float[last + 1];
            for (int head = 0; head < spec.heads(); head++) {
                int q = n * 3 * c + head * a;
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j <= last; j++) {
                    int k = batch.slot(s, j) * c + head * a;
                    float dot = 0f;
                    for (int i = 0; i < a; i++) {
                        dot += qkv.get(q + i) * keys.get(k + i);
                    }
                    p[j] = dot * scale;
                    max = Math.max(max, p[j]);
                }
                float sum = 0f;
                for (int j = 0; j <= last; j++) {
                    p[j] = (float) Math.exp(p[j] - max);
                    sum += p[j];
                }
                int o = n * c + head * a;
                for (int i = 0; i < a; i++) {
                    float acc = 0f;
                    for (int j = 0; j <= last; j++) {
                        acc += p[j] / sum * values.get(batch.slot(s, j) * c + head * a + i);
                    }
                    out.put(o + i, acc);
                }
            }
        }
    }

    /**
     * The [T, L] mask: 0 for j ≤ position[nᵢ], −∞ after; null when nothing is masked (every token at L − 1, as in
     * a decode step). Filled on the host and uploaded, because {@code Nd4j.tri(n, m, k)} of ND4J 1.0.0-M2.1 is
     * wrong for a single row (n = 1 gives all ones or all zeros).
     */
    private static INDArray causalMask(AttentionBatch batch, int[] tokens, int context) {
        float[] mask = new float[tokens.length * context];
        boolean any = false;
        for (int i = 0; i < tokens.length; i++) {
            int visible = batch.position()[tokens[i]] + 1;
            any |= visible < context;
            Arrays.fill(mask, i * context + visible, (i + 1) * context, Float.NEGATIVE_INFINITY);
        }
        return any ? copyOf(FloatBuffer.wrap(mask), new int[] {tokens.length, context}) : null;
    }

    /** Per sequence, its tokens in batch order. */
    private static int[][] bySequence(AttentionBatch batch) {
        int[] count = new int[batch.sequences()];
        for (int s : batch.sequence()) {
            count[s]++;
        }
        int[][] tokens = new int[count.length][];
        for (int s = 0; s < count.length; s++) {
            tokens[s] = new int[count[s]];
            count[s] = 0;
        }
        for (int n = 0; n < batch.tokens(); n++) {
            int s = batch.sequence()[n];
            tokens[s][count[s]++] = n;
        }
        return tokens;
    }

    /** Per sequence, L = its tokens' highest position + 1 (0 for a sequence without tokens). */
    private static int[] contexts(AttentionBatch batch, int[][] tokens) {
        int[] context = new int[tokens.length];
        for (int s = 0; s < tokens.length; s++) {
            for (int n : tokens[s]) {
                context[s] = Math.max(context[s], batch.position()[n] + 1);
            }
        }
        return context;
    }

    /** Refuses, before anything is written, a block of any token's context that lies outside the cache. */
    private static void checkBlocks(AttentionBatch batch, int[] context, KvCacheSpec spec) {
        for (int s = 0; s < context.length; s++) {
            int used = (context[s] + batch.blockSize() - 1) / batch.blockSize();
            for (int b = 0; b < used; b++) {
                int block = batch.blockTables()[s][b];
                if (block < 0 || block >= spec.numBlocks()) {
                    throw new IndexOutOfBoundsException("attention: block " + block + " (block " + b
                            + " of sequence " + s + ") outside the KV cache's " + spec.numBlocks() + " blocks");
                }
            }
        }
    }


}
