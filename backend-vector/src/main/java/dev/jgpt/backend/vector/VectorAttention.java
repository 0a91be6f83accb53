package dev.jgpt.backend.vector;

import static dev.jgpt.backend.vector.VectorMatmul.L;
import static dev.jgpt.backend.vector.VectorMatmul.S;

import jdk.incubator.vector.FloatVector;

/**
 * The attention kernels of {@link VectorBackend}: one query head of one token over its sequence's keys and values, read
 * in place from the KV cache's blocks: {@link #headOverColumns} for the backend's own {@link VectorKvCache} (keys
 * channel-major), {@link #head} for a {@link dev.jgpt.api.HeapKvCache} made elsewhere (position j of the sequence at
 * offset {@code (j % bs)·C + head·A} of its block {@code j / bs}). Scores by SIMD dot products over the head's A floats
 * (lanes summed by {@link VectorMatmul#sumLanes}), a stable softmax ({@link VectorRows#softmaxRow}, whose exp gives the
 * same bits compiled or interpreted), and the weighted sum of the values in registers, four vectors of the head at a
 * time.
 *
 * <p>The result depends only on the query, the positions 0 … last of its sequence and the head: never on the other
 * tokens of the batch or on how the work is split, so attention is batch-invariant as it is.
 */
final class VectorAttention {
    /** Per thread: the scores of the head being computed (grown on demand) and one accumulator being summed. */
    private static final class Scratch {
        float[] scores = new float[0];
        final float[] lanes = new float[L];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private VectorAttention() {
    }

    /**
     * out[o, o + a) = Σ_j softmax_j(scale · q·k_j) · v_j over the positions j = 0 … last, q = q[qo, qo + a); see
     * {@code ParallelArrayBackend.HeadKernel}.
     */
    static void head(float[] q, int qo, float[][] keys, float[][] values, int bs, int c, int ho, int a, int last,
            float scale, float[] out, int o) {
        int visible = last + 1;
        // scores padded with −∞ to whole vectors, so that the softmax runs without a scalar tail
        int padded = (visible + L - 1) / L * L;
        Scratch scratch = SCRATCH.get();
        if (scratch.scores.length < padded) {
            scratch.scores = new float[Math.max(padded, 2 * scratch.scores.length)];
        }
        float[] p = scratch.scores;
        float[] lanes = scratch.lanes;
        int block = 0;
        int at = ho;
        int i = 0;
        for (int j = 0; j < visible; j++) {
            p[j] = dot(q, qo, keys[block], at, a, lanes) * scale;
            at += c;
            if (++i == bs) {
                block++;
                at = ho;
                i = 0;
            }
        }
        for (int j = visible; j < padded; j++) {
            p[j] = Float.NEGATIVE_INFINITY;
        }
        VectorRows.softmaxRow(p, p, 0, padded);
        mix(p, visible, values, bs, c, ho, a, out, o);
    }

    /**
     * {@link #head} over a {@link VectorKvCache}, whose blocks hold the keys channel-major ({@code keys[b][ch·P + i]},
     * P = {@code bs} rounded up to whole vectors): the scores of L positions at once, each lane by one recipe — acc
     * = 0; for d = 0 … A − 1 in order, {@code acc = fma(k[ho + d][i], q[qo + d], acc)}; then acc · scale — so a score
     * depends on its query and key alone. The softmax and the weighted sum of the values as in {@link #head}.
     */
    static void headOverColumns(float[] q, int qo, float[][] keys, float[][] values, int bs, int c, int ho, int a,
            int last, float scale, float[] out, int o) {
        int visible = last + 1;
        int stride = (bs + L - 1) / L * L;
        int padded = (visible + L - 1) / L * L;
        int blocks = (visible + bs - 1) / bs;
        Scratch scratch = SCRATCH.get();
        int need = Math.max(padded, (blocks - 1) * bs + stride); // a block's last vector may run past its bs
        if (scratch.scores.length < need) {
            scratch.scores = new float[Math.max(need, 2 * scratch.scores.length)];
        }
        float[] p = scratch.scores;
        FloatVector scaleV = FloatVector.broadcast(S, scale);
        int b = 0;
        if (stride == L) {
            // blocks of one vector (bs ≤ L), four at a time: four independent chains of fmas, whose loads are in
            // flight together (one chain waits on each fma in turn, and the blocks are often not in cache); every
            // lane's recipe is unchanged, and the four are stored in block order as below
            for (; b + 4 <= blocks; b += 4) {
                scores4(q, qo, keys[b], keys[b + 1], keys[b + 2], keys[b + 3], ho, a, scaleV, p, b * bs, bs);
            }
        }
        for (; b < blocks; b++) { // in order: a block's lanes past bs are overwritten by the next block
            float[] kt = keys[b];
            int j0 = b * bs;
            for (int i = 0; i < stride && j0 + i < visible; i += L) {
                FloatVector acc = FloatVector.zero(S);
                for (int d = 0; d < a; d++) {
                    acc = FloatVector.fromArray(S, kt, (ho + d) * stride + i).fma(FloatVector.broadcast(S, q[qo + d]),
                            acc);
                }
                scaleV.mul(acc).intoArray(p, j0 + i);
            }
        }
        for (int j = visible; j < padded; j++) {
            p[j] = Float.NEGATIVE_INFINITY;
        }
        VectorRows.softmaxRow(p, p, 0, padded);
        mix(p, visible, values, bs, a, ho * bs, a, out, o); // head-major values: the head's run starts at h·bs·A
    }

    /**
     * The scores of four one-vector blocks k0 … k3 (keys channel-major, stride L) at p[j0 + t·bs …], t &lt; 4, in
     * that order: {@link #headOverColumns}'s recipe per lane.
     */
    private static void scores4(float[] q, int qo, float[] k0, float[] k1, float[] k2, float[] k3, int ho, int a,
            FloatVector scale, float[] p, int j0, int bs) {
        FloatVector acc0 = FloatVector.zero(S);
        FloatVector acc1 = acc0;
        FloatVector acc2 = acc0;
        FloatVector acc3 = acc0;
        for (int d = 0; d < a; d++) {
            FloatVector qd = FloatVector.broadcast(S, q[qo + d]);
            int at = (ho + d) * L;
            acc0 = FloatVector.fromArray(S, k0, at).fma(qd, acc0);
            acc1 = FloatVector.fromArray(S, k1, at).fma(qd, acc1);
            acc2 = FloatVector.fromArray(S, k2, at).fma(qd, acc2);
            acc3 = FloatVector.fromArray(S, k3, at).fma(qd, acc3);
        }
        scale.mul(acc0).intoArray(p, j0);
        scale.mul(acc1).intoArray(p, j0 + bs);
        scale.mul(acc2).intoArray(p, j0 + 2 * bs);
        scale.mul(acc3).intoArray(p, j0 + 3 * bs);
    }

    /**
     * out[o, o + a) = Σ_j p[j]·v_j over the positions j &lt; visible: channel d of position i of block b at
     * {@code values[b][base + i·ps + d]} (ps = C and base = h·A for [blockSize, C] blocks; ps = A and base = h·bs·A for
     * {@link VectorKvCache}'s head-major ones).
     */
    private static void mix(float[] p, int visible, float[][] values, int bs, int ps, int base, int a, float[] out,
            int o) {
        int d = 0;
        for (; d + 4 * L <= a; d += 4 * L) {
            mix4(p, visible, values, bs, ps, base + d, out, o + d);
        }
        for (; d + L <= a; d += L) {
            mix1(p, visible, values, bs, ps, base + d, out, o + d);
        }
        for (; d < a; d++) {
            out[o + d] = mixScalar(p, visible, values, bs, ps, base + d);
        }
    }

    /**
     * Σ_d x[xo + d]·y[yo + d] for d in [0, len): fma over whole vectors, the lanes summed by
     * {@link VectorMatmul#sumLanes} (through {@code lanes}), then a scalar tail.
     */
    static float dot(float[] x, int xo, float[] y, int yo, int len, float[] lanes) {
        int vl = len / L * L;
        FloatVector acc = FloatVector.zero(S);
        for (int d = 0; d < vl; d += L) {
            acc = FloatVector.fromArray(S, x, xo + d).fma(FloatVector.fromArray(S, y, yo + d), acc);
        }
        ((FloatVector) acc.check(S)).intoArray(lanes, 0);
        float s = VectorMatmul.sumLanes(lanes, 0);
        for (int d = vl; d < len; d++) {
            s += x[xo + d] * y[yo + d];
        }
        return s;
    }

    /**
     * out[o, o + 4L) = Σ_j p[j]·v_j[base, base + 4L), the values of positions j &lt; visible: the sums kept in
     * registers through a block, in out between blocks (which changes no bit).
     */
    private static void mix4(float[] p, int visible, float[][] values, int bs, int ps, int base, float[] out, int o) {
        FloatVector zero = FloatVector.zero(S);
        zero.intoArray(out, o);
        zero.intoArray(out, o + L);
        zero.intoArray(out, o + 2 * L);
        zero.intoArray(out, o + 3 * L);
        for (int b = 0, j0 = 0; j0 < visible; b++, j0 += bs) {
            mix4(p, j0, Math.min(bs, visible - j0), values[b], ps, base, out, o);
        }
    }

    /** out[o, o + 4L) += Σ_i p[j0 + i]·v[i·ps + base …] for the n positions of one block. */
    private static void mix4(float[] p, int j0, int n, float[] v, int ps, int base, float[] out, int o) {
        FloatVector acc0 = FloatVector.fromArray(S, out, o);
        FloatVector acc1 = FloatVector.fromArray(S, out, o + L);
        FloatVector acc2 = FloatVector.fromArray(S, out, o + 2 * L);
        FloatVector acc3 = FloatVector.fromArray(S, out, o + 3 * L);
        for (int i = 0; i < n; i++) {
            int at = i * ps + base;
            FloatVector pj = FloatVector.broadcast(S, p[j0 + i]);
            acc0 = FloatVector.fromArray(S, v, at).fma(pj, acc0);
            acc1 = FloatVector.fromArray(S, v, at + L).fma(pj, acc1);
            acc2 = FloatVector.fromArray(S, v, at + 2 * L).fma(pj, acc2);
            acc3 = FloatVector.fromArray(S, v, at + 3 * L).fma(pj, acc3);
        }
        ((FloatVector) acc0.check(S)).intoArray(out, o);
        ((FloatVector) acc1.check(S)).intoArray(out, o + L);
        ((FloatVector) acc2.check(S)).intoArray(out, o + 2 * L);
        ((FloatVector) acc3.check(S)).intoArray(out, o + 3 * L);
    }

    /** out[o, o + L) = Σ_j p[j]·v_j[base, base + L) (see {@link #mix}). */
    private static void mix1(float[] p, int visible, float[][] values, int bs, int ps, int base, float[] out, int o) {
        FloatVector acc = FloatVector.zero(S);
        int block = 0;
        int at = base;
        int i = 0;
        for (int j = 0; j < visible; j++) {
            acc = FloatVector.fromArray(S, values[block], at).fma(FloatVector.broadcast(S, p[j]), acc);
            at += ps;
            if (++i == bs) {
                block++;
                at = base;
                i = 0;
            }
        }
        ((FloatVector) acc.check(S)).intoArray(out, o);
    }

    /** Σ_j p[j]·v_j[base], one channel. */
    private static float mixScalar(float[] p, int visible, float[][] values, int bs, int ps, int base) {
        float s = 0f;
        int block = 0;
        int at = base;
        int i = 0;
        for (int j = 0; j < visible; j++) {
            s += p[j] * values[block][at];
            at += ps;
            if (++i == bs) {
                block++;
                at = base;
                i = 0;
            }
        }
        return s;
    }
}
