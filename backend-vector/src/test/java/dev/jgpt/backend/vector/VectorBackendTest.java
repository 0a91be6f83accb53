package dev.jgpt.backend.vector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jgpt.api.Gelu;
import dev.jgpt.api.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every code path of the vector kernels against a float64 loop written here, and batch invariance bit for bit.
 *
 * <p>Paths: the decode passes (1–3 rows, four weight rows from four quarters of the columns), the 4 × 4 register
 * tiles with leftover rows and leftover weight rows, row blocks of 32 and weight chunks of 256 KiB, K not a multiple
 * of the lanes (the scalar tail), with and without bias, on one thread and on two (columns split between them);
 * attention over the paged cache with block sizes 1, 3 and 16, sequences at different positions in one batch, head
 * sizes that take the four-vector, one-vector and scalar parts of the weighted sum; the row kernels with lengths
 * below, at and above one vector; the polynomial exp.
 *
 * <p>Tolerances. A matmul element passes through at most n = ⌊K/L⌋ fused multiply-adds, log2 L additions of the
 * lane tree, 2·(K mod L) roundings of the tail and one of the bias, so it is within γ_n·(Σ|x·w| + |bias|) of the
 * exact value (γ_n = n·u/(1 − n·u), u = 2^−24; the float64 loop is exact to far below that). Attention, inputs in
 * [−1, 1]: 1e-5 absolute (its outputs are convex combinations of values in [−1, 1]; score errors of ~1e-6 move the
 * weights by as little). Row kernels: 1e-5·(1 + |normalised x|) for layer norm, 1e-6 absolute for softmax, 1e-6 + 2
 * ulps for GELU, one ulp for add. exp: 2 ulps of the exact value. The whole conformance kit runs on this backend next
 * door ({@link VectorConformanceTest}).
 */
class VectorBackendTest {
    private static final int L = VectorMatmul.L;
    private static final double U = Math.scalb(1.0, -24);
    private final VectorBackend one = new VectorBackend(1);
    private final VectorBackend two = new VectorBackend(2);
    private final SplittableRandom rnd = new SplittableRandom(11);

    private float[] uniform(int n) {
        return uniform(rnd, n);
    }

    /** n floats uniform in [−1, 1). */
    static float[] uniform(SplittableRandom rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextDouble(-1, 1);
        }
        return x;
    }

    @Test
    void theProviderIsAvailableUnderTheBuildsArgLineAndClaimsBatchInvariance() {
        VectorBackendProvider p = new VectorBackendProvider();
        assertNull(p.unavailableReason(), "the tests run with --add-modules jdk.incubator.vector");
        assertTrue(L >= 4 && L <= 16, "lanes: " + L);
        assertEquals("vector", p.name());
        assertInstanceOf(VectorBackend.class, p.create());
        assertTrue(one.batchInvariant());
    }

    // ------------------------------------------------------------------------------------------------------ matmul

    @ParameterizedTest(name = "[{0}, {1}] x [{2}, {1}]ᵀ")
    @CsvSource({
        "1, 768, 768", "1, 130, 49", "1, 1, 2", "2, 13, 37", "3, 5, 1", "3, 20, 3", "2, 768, 101", // decode passes
        "4, 48, 48", "4, 1, 1", "5, 130, 50", "17, 37, 101", "17, 768, 100", // tiles, leftovers, chunk of 84 rows
        "37, 64, 9", "64, 200, 100", "70, 17, 5"}) // row blocks of 32
    void matmulAndLinearMatchFloat64(int rows, int k, int m) {
        float[] x = uniform(rows * k);
        float[] w = uniform(m * k);
        float[] b = uniform(m);
        for (VectorBackend v : new VectorBackend[] {one, two}) {
            Tensor xt = v.fromArray(x, rows, k);
            Tensor wt = v.fromArray(w, m, k);
            check("matmul", product(x, w, null, rows, k, m), v.toArray(v.matmul(xt, wt)), k);
            check("linear", product(x, w, b, rows, k, m), v.toArray(v.linear(xt, wt, v.fromArray(b, m))), k);
            check("linear without bias", product(x, w, null, rows, k, m), v.toArray(v.linear(xt, wt, null)), k);
        }
    }

    /** [rows, m] = x [rows, k] · w [m, k]ᵀ (+ bias) in double, and each output's Σ|terms| as a tolerance scale. */
    static double[][] product(float[] x, float[] w, float[] bias, int rows, int k, int m) {
        double[] value = new double[rows * m];
        double[] scale = new double[rows * m];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < m; j++) {
                double s = bias == null ? 0 : bias[j];
                double a = Math.abs(s);
                for (int i = 0; i < k; i++) {
                    double t = (double) x[r * k + i] * w[j * k + i];
                    s += t;
                    a += Math.abs(t);
                }
                value[r * m + j] = s;
                scale[r * m + j] = a;
            }
        }
        return new double[][] {value, scale};
    }

    static void check(String what, double[][] want, float[] got, int k) {
        int n = k / L + Integer.numberOfTrailingZeros(L) + 2 * (k % L) + 1;
        double gamma = n * U / (1 - n * U);
        assertEquals(want[0].length, got.length, what + " length");
        for (int i = 0; i < got.length; i++) {
            assertEquals(want[0][i], got[i], gamma * want[1][i], what + " at " + i);
        }
    }

    // --------------------------------------------------------------------------------------------------- attention

    @ParameterizedTest(name = "block size {0}")
    @ValueSource(ints = {1, 3, 16})
    void attentionMatchesFloat64AcrossBlocksAndSequences(int bs) {
        for (int a : new int[] {7, 20, 4 * L + L + 3}) { // scalar only; a vector and a tail; all three parts
            for (VectorBackend v : new VectorBackend[] {one, two}) {
                AttentionFixture f = new AttentionFixture(v, 3, a, bs, rnd);
                for (int[][] tokens : new int[][][] {f.prefill(), f.step()}) {
                    float[] got = f.attend(tokens);
                    for (int t = 0; t < tokens.length; t++) {
                        double[] want = f.exact(tokens[t][0], tokens[t][1]);
                        for (int i = 0; i < f.c; i++) {
                            assertEquals(want[i], got[t * f.c + i], 1e-5, "head size " + a + ", token " + t
                                    + " (sequence " + tokens[t][0] + ", position " + tokens[t][1] + "), channel " + i);
                        }
                    }
                }
            }
        }
    }

    // --------------------------------------------------------------------------------------------- batch invariance

    /**
     * Rows computed alone and inside batches of 2 … 40 rows, at every index of the batch and among different other
     * rows, on one thread and on two: the same bits, for matmul, linear and attention. Shapes with a scalar tail (K
     * not a multiple of the lanes) and leftover weight rows (M not a multiple of 4), so that alone (the decode pass)
     * and in a batch (the register tiles, the leftover-row pass) every kernel path meets every other.
     */
    @Test
    void rowsAreBitIdenticalAloneAndInAnyBatch() {
        int pool = 40;
        for (int[] km : new int[][] {{13, 37}, {200, 101}, {L * 8, 4 * 8 + 2}}) {
            int k = km[0];
            int m = km[1];
            float[] rows = uniform(pool * k);
            float[] w = uniform(m * k);
            float[] bias = uniform(m);
            Tensor wt = one.fromArray(w, m, k);
            Tensor bt = one.fromArray(bias, m);
            int[][] aloneMatmul = new int[pool][];
            int[][] aloneLinear = new int[pool][];
            for (int r = 0; r < pool; r++) {
                Tensor x = one.fromArray(Arrays.copyOfRange(rows, r * k, (r + 1) * k), 1, k);
                aloneMatmul[r] = bits(one.toArray(one.matmul(x, wt)));
                aloneLinear[r] = bits(one.toArray(one.linear(x, wt, bt)));
            }
            for (VectorBackend v : new VectorBackend[] {one, two}) {
                for (int n = 1; n <= pool; n++) {
                    for (int start : new int[] {0, 7 * n + 3}) {
                        float[] batch = new float[n * k];
                        for (int i = 0; i < n; i++) {
                            System.arraycopy(rows, (start + i) % pool * k, batch, i * k, k);
                        }
                        Tensor x = v.fromArray(batch, n, k);
                        int[] mm = bits(v.toArray(v.matmul(x, wt)));
                        int[] lin = bits(v.toArray(v.linear(x, wt, bt)));
                        for (int i = 0; i < n; i++) {
                            int r = (start + i) % pool;
                            String where = "K " + k + ", M " + m + ": row " + r + " at index " + i + " of " + n
                                    + " rows, " + v.threads() + " threads";
                            assertArrayEquals(aloneMatmul[r], Arrays.copyOfRange(mm, i * m, (i + 1) * m),
                                    "matmul, " + where);
                            assertArrayEquals(aloneLinear[r], Arrays.copyOfRange(lin, i * m, (i + 1) * m),
                                    "linear, " + where);
                        }
                    }
                }
            }
        }
        for (int bs : new int[] {1, 3, 16}) {
            for (VectorBackend v : new VectorBackend[] {one, two}) {
                AttentionFixture f = new AttentionFixture(v, 4, 4 * L + 5, bs, rnd);
                f.attend(f.prefill());
                int[][] tokens = f.step();
                f.attend(tokens);
                List<int[]> all = new ArrayList<>(Arrays.asList(f.prefill()));
                all.addAll(Arrays.asList(tokens));
                int[][] alone = new int[all.size()][];
                for (int t = 0; t < all.size(); t++) {
                    alone[t] = bits(f.attend(new int[][] {all.get(t)}));
                }
                for (int n = 2; n <= all.size(); n += 3) {
                    for (int start : new int[] {0, 5 * n + 1}) {
                        int[][] batch = new int[n][];
                        for (int i = 0; i < n; i++) {
                            batch[i] = all.get((start + i) % all.size());
                        }
                        int[] got = bits(f.attend(batch));
                        for (int i = 0; i < n; i++) {
                            int t = (start + i) % all.size();
                            assertArrayEquals(alone[t], Arrays.copyOfRange(got, i * f.c, (i + 1) * f.c),
                                    "attention, block size " + bs + ": token " + Arrays.toString(all.get(t))
                                            + " at index " + i + " of " + n + ", " + v.threads() + " threads");
                        }
                    }
                }
            }
        }
    }

    static int[] bits(float[] x) {
        int[] b = new int[x.length];
        for (int i = 0; i < x.length; i++) {
            b[i] = Float.floatToRawIntBits(x[i]);
        }
        return b;
    }

    // ------------------------------------------------------------------------------------------------- row kernels

    @ParameterizedTest(name = "row kernels, width {0}")
    @CsvSource({"1", "5", "16", "17", "48", "100"})
    void rowKernelsMatchFloat64(int c) {
        int rows = 3;
        float[] x = uniform(rows * c);
        x[0] = 30f; // a large entry: softmax must subtract the max
        float[] g = uniform(c);
        float[] beta = uniform(c);
        Tensor xt = two.fromArray(x, rows, c);
        float[] ln = two.toArray(two.layerNorm(xt, two.fromArray(g, c), two.fromArray(beta, c), 1e-5f));
        float[] sm = two.toArray(two.softmax(xt));
        float[] ge = two.toArray(two.gelu(xt, Gelu.TANH));
        float[] sum = two.toArray(two.add(xt, two.fromArray(g, c)));
        for (int r = 0; r < rows; r++) {
            double mean = 0;
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < c; i++) {
                mean += x[r * c + i];
                max = Math.max(max, x[r * c + i]);
            }
            mean /= c;
            double var = 0;
            double z = 0;
            for (int i = 0; i < c; i++) {
                double d = x[r * c + i] - mean;
                var += d * d;
                z += Math.exp(x[r * c + i] - max);
            }
            var /= c;
            for (int i = 0; i < c; i++) {
                int o = r * c + i;
                double xi = x[o];
                double wantLn = (xi - mean) / Math.sqrt(var + 1e-5) * g[i] + beta[i];
                assertEquals(wantLn, ln[o], 1e-5 * (1 + Math.abs(xi - mean) / Math.sqrt(var + 1e-5)), "ln at " + o);
                assertEquals(Math.exp(xi - max) / z, sm[o], 1e-6, "softmax at " + o);
                assertEquals(gelu(xi), ge[o], 1e-6 + 2 * Math.ulp(ge[o]), "gelu at " + o);
                assertEquals(xi + g[i], sum[o], Math.ulp((float) (xi + g[i])), "add at " + o);
            }
        }
    }

    private static double gelu(double x) {
        return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
    }

    /** The softmax of masked scores: −∞ entries get exactly 0, the others sum to 1. */
    @Test
    void softmaxGivesMaskedEntriesZero() {
        int c = 2 * L + 3;
        float[] x = uniform(c);
        for (int i = 1; i < c; i += 2) {
            x[i] = Float.NEGATIVE_INFINITY;
        }
        float[] p = one.toArray(one.softmax(one.fromArray(x, 1, c)));
        double total = 0;
        for (int i = 0; i < c; i++) {
            if (i % 2 == 1) {
                assertEquals(0f, p[i], 0f, "masked entry " + i);
            }
            total += p[i];
        }
        assertEquals(1, total, 1e-6);
    }

    /**
     * GELU's vector lanes and its scalar loop run the same operations: an element gets the same bits wherever the
     * range around it starts (the backend splits elementwise work at arbitrary points), within 1e-6 + 2 ulps of the
     * tanh form from −12 to 12 (the exp form is, if anything, closer: no 1 + tanh cancellation).
     */
    @Test
    void geluBitsDoNotDependOnWhereARangeStarts() {
        int n = 3 * L + 5;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = -12f + 24f * i / n;
        }
        float[] whole = new float[n];
        VectorRows.geluTanh(x, whole, 0, n);
        for (int from = 1; from < L + 2; from++) {
            float[] part = new float[n];
            VectorRows.geluTanh(x, part, from, n);
            for (int i = from; i < n; i++) {
                assertEquals(Float.floatToRawIntBits(whole[i]), Float.floatToRawIntBits(part[i]),
                        "gelu of " + x[i] + " from " + from);
            }
        }
        for (int i = 0; i < n; i++) {
            assertEquals(gelu(x[i]), whole[i], 1e-6 + 2 * Math.ulp(whole[i]), "gelu of " + x[i]);
        }
    }

    /** The polynomial exp: within 2 ulps over the float range it covers, edges right, lanes = scalar bit for bit. */
    @Test
    void expIsAccurateAndTheSameInLanesAndAlone() {
        float[] lane = new float[L];
        float[] out = new float[L];
        int count = 0;
        for (float x = -87.3f; x < 88.3f; x += 0.0137f) {
            lane[count % L] = x;
            float e = VectorRows.exp(x);
            double want = Math.exp(x);
            assertEquals(want, e, 2 * Math.ulp((float) want), "exp(" + x + ")");
            if (++count % L == 0) {
                VectorRows.exp(FloatVector.fromArray(VectorMatmul.S, lane, 0)).intoArray(out, 0);
                for (int i = 0; i < L; i++) {
                    if (Float.floatToRawIntBits(out[i]) != Float.floatToRawIntBits(VectorRows.exp(lane[i]))) {
                        fail("exp(" + lane[i] + "): lane " + out[i] + ", scalar " + VectorRows.exp(lane[i]));
                    }
                }
            }
        }
        assertEquals(0f, VectorRows.exp(Float.NEGATIVE_INFINITY), 0f);
        assertEquals(0f, VectorRows.exp(-100f), 0f);
        assertEquals(1f, VectorRows.exp(0f), 0f);
        assertEquals(1f, VectorRows.exp(-0f), 0f);
        assertEquals(Float.POSITIVE_INFINITY, VectorRows.exp(100f), 0f);
        assertEquals(Float.POSITIVE_INFINITY, VectorRows.exp(Float.POSITIVE_INFINITY), 0f);
        assertTrue(Float.isNaN(VectorRows.exp(Float.NaN)));
    }

    @Test
    void releasedArraysAreReusedAndLiveOnesKept() {
        int n = 8192; // above the pool's minimum length
        float[] x = uniform(n);
        Tensor keep = two.fromArray(x, 1, n);
        Tensor gone = two.gelu(keep, Gelu.TANH);
        two.release(gone);
        Tensor again = two.add(keep, keep); // may reuse gone's array; must not touch keep
        assertArrayEquals(x, two.toArray(keep), 0f);
        float[] sum = two.toArray(again);
        for (int i = 0; i < n; i++) {
            assertEquals(2 * x[i], sum[i], 0f, "add at " + i);
        }
        try {
            two.toArray(gone);
        } catch (IllegalStateException expected) {
            assertTrue(expected.getMessage().contains("released"), expected.getMessage());
            return;
        }
        throw new AssertionError("a released tensor was read without complaint");
    }
}
