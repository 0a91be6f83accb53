package dev.jgpt.backend.vector;

import static dev.jgpt.backend.vector.VectorMatmul.L;
import static dev.jgpt.backend.vector.VectorMatmul.S;

import jdk.incubator.vector.FloatVector;

/**
 * The matrix product for weights with few inputs (K ≤ {@link #MAX_K}, M a multiple of {@link VectorMatmul#L}), such as
 * every layer of the nano sort model (K = 48 or 192; 2–4× the dot-product kernel there, single-threaded). There a dot
 * product along K is a handful of vectors, and summing each one's lanes ({@link VectorMatmul}'s recipe) costs more than
 * the multiply-adds; so for these weights the backend keeps a copy transposed to [in, out] (made once, at load) and
 * accumulates along the outputs instead, as the kernels before the [out, in] layout did: a register tile of 4 rows × 3
 * vectors of outputs, each loaded weight vector used four times and each broadcast activation three times, no lane sums
 * at all.
 *
 * <p><b>One recipe per element</b>, whatever the number of rows, wherever the element falls and whichever path
 * computes it, so the backend stays batch-invariant: {@code acc = 0}; for i = 0, 1, …, K − 1 in order,
 * {@code acc = fma(w[i, j], x[r, i], acc)}; then {@code acc + bias[j]}. (A different order than
 * {@link VectorMatmul}'s, and the choice between them depends on the weight's shape alone, never on the batch.)
 */
final class NarrowMatmul {
    /** The widest input that takes this path. */
    static final int MAX_K = 256;
    /** Rows of x per register tile (the unit rows are split over threads by). */
    static final int TILE_ROWS = 4;
    /** Vectors of outputs per register tile. */
    private static final int TILE_VECTORS = 3;

    private NarrowMatmul() {
    }

    /** Whether a weight [m, k] takes this path. */
    static boolean fits(int m, int k) {
        return k <= MAX_K && m >= L && m % L == 0;
    }

    /** w [m, k] transposed to [k, m]. */
    static float[] transpose(float[] w, int m, int k) {
        float[] t = new float[k * m];
        for (int j = 0; j < m; j++) {
            for (int i = 0; i < k; i++) {
                t[i * m + j] = w[j * k + i];
            }
        }
        return t;
    }

    /** out[r, j] = Σ_i x[r, i]·wt[i, j] (+ bias[j]) for rows [r0, r1) and all m outputs; wt is [k, m]. */
    static void product(float[] x, float[] wt, float[] bias, float[] out, int k, int m, int r0, int r1) {
        int r = r0;
        int strips = m / (TILE_VECTORS * L) * (TILE_VECTORS * L);
        for (; r + TILE_ROWS <= r1; r += TILE_ROWS) {
            int j = 0;
            for (; j < strips; j += TILE_VECTORS * L) {
                tile(x, wt, out, k, m, r, j);
            }
            for (; j < m; j += L) {
                column(x, wt, out, k, m, r, j);
            }
        }
        for (; r < r1; r++) {
            for (int j = 0; j < m; j += L) {
                one(x, wt, out, k, m, r, j);
            }
        }
        if (bias != null) {
            for (r = r0; r < r1; r++) {
                for (int j = 0; j < m; j += L) {
                    FloatVector.fromArray(S, out, r * m + j).add(FloatVector.fromArray(S, bias, j))
                            .intoArray(out, r * m + j);
                }
            }
        }
    }

    /** Rows r … r + 3 × outputs [j, j + 3L): 12 accumulators. */
    private static void tile(float[] x, float[] wt, float[] out, int k, int m, int r, int j) {
        int x0 = r * k;
        int x1 = x0 + k;
        int x2 = x1 + k;
        int x3 = x2 + k;
        FloatVector s00 = FloatVector.zero(S);
        FloatVector s01 = s00;
        FloatVector s02 = s00;
        FloatVector s10 = s00;
        FloatVector s11 = s00;
        FloatVector s12 = s00;
        FloatVector s20 = s00;
        FloatVector s21 = s00;
        FloatVector s22 = s00;
        FloatVector s30 = s00;
        FloatVector s31 = s00;
        FloatVector s32 = s00;
        for (int i = 0; i < k; i++) {
            int wo = i * m + j;
            FloatVector w0 = FloatVector.fromArray(S, wt, wo);
            FloatVector w1 = FloatVector.fromArray(S, wt, wo + L);
            FloatVector w2 = FloatVector.fromArray(S, wt, wo + 2 * L);
            FloatVector a = FloatVector.broadcast(S, x[x0 + i]);
            s00 = w0.fma(a, s00);
            s01 = w1.fma(a, s01);
            s02 = w2.fma(a, s02);
            a = FloatVector.broadcast(S, x[x1 + i]);
            s10 = w0.fma(a, s10);
            s11 = w1.fma(a, s11);
            s12 = w2.fma(a, s12);
            a = FloatVector.broadcast(S, x[x2 + i]);
            s20 = w0.fma(a, s20);
            s21 = w1.fma(a, s21);
            s22 = w2.fma(a, s22);
            a = FloatVector.broadcast(S, x[x3 + i]);
            s30 = w0.fma(a, s30);
            s31 = w1.fma(a, s31);
            s32 = w2.fma(a, s32);
        }
        store(s00, out, r * m, j);
        store(s01, out, r * m, j + L);
        store(s02, out, r * m, j + 2 * L);
        store(s10, out, (r + 1) * m, j);
        store(s11, out, (r + 1) * m, j + L);
        store(s12, out, (r + 1) * m, j + 2 * L);
        store(s20, out, (r + 2) * m, j);
        store(s21, out, (r + 2) * m, j + L);
        store(s22, out, (r + 2) * m, j + 2 * L);
        store(s30, out, (r + 3) * m, j);
        store(s31, out, (r + 3) * m, j + L);
        store(s32, out, (r + 3) * m, j + 2 * L);
    }

    /** Rows r … r + 3 × outputs [j, j + L): 4 accumulators. */
    private static void column(float[] x, float[] wt, float[] out, int k, int m, int r, int j) {
        int x0 = r * k;
        FloatVector s0 = FloatVector.zero(S);
        FloatVector s1 = s0;
        FloatVector s2 = s0;
        FloatVector s3 = s0;
        for (int i = 0; i < k; i++) {
            FloatVector w = FloatVector.fromArray(S, wt, i * m + j);
            s0 = w.fma(FloatVector.broadcast(S, x[x0 + i]), s0);
            s1 = w.fma(FloatVector.broadcast(S, x[x0 + k + i]), s1);
            s2 = w.fma(FloatVector.broadcast(S, x[x0 + 2 * k + i]), s2);
            s3 = w.fma(FloatVector.broadcast(S, x[x0 + 3 * k + i]), s3);
        }
        store(s0, out, r * m, j);
        store(s1, out, (r + 1) * m, j);
        store(s2, out, (r + 2) * m, j);
        store(s3, out, (r + 3) * m, j);
    }

    /** Row r × outputs [j, j + L): the same recipe, one accumulator. */
    private static void one(float[] x, float[] wt, float[] out, int k, int m, int r, int j) {
        int xo = r * k;
        FloatVector s = FloatVector.zero(S);
        for (int i = 0; i < k; i++) {
            s = FloatVector.fromArray(S, wt, i * m + j).fma(FloatVector.broadcast(S, x[xo + i]), s);
        }
        store(s, out, r * m, j);
    }

    /**
     * out[o + j …] = s, the sum before the bias (which {@link #product} adds once the rows are done: the same
     * single-precision addition, so the same bits). Kept this small on purpose: with the bias added here too, the 12
     * stores of {@link #tile} passed C2's inlining budget and the last ones were called with boxed vectors (JFR:
     * 0.7–1.1 GB of float[] allocated at them per {@code gpt bench} run); and s goes through {@code check(S)} as in
     * every kernel ({@link VectorMatmul#S}).
     */
    private static void store(FloatVector s, float[] out, int o, int j) {
        ((FloatVector) s.check(S)).intoArray(out, o + j);
    }
}
