package dev.jgpt.backend.vector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.api.Gelu;
import dev.jgpt.api.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every code path of the vector kernels against a float64 loop written here: the decode stream (1–3 rows), the
 * register tiles (full 4 × 3-vector tiles, narrower strips, leftover rows, columns that do not fill a vector, K
 * across the {@link VectorMatmul#K_BLOCK} boundary), the transposed product, the bias-initialised linear, and the
 * row kernels with lengths below, at and above one vector. Tolerance: 1e-5·(1 + Σ|terms|) for sums (float32
 * rounding in any order), 1e-6 absolute plus 2 ulps for elementwise functions. The whole conformance kit runs on this
 * backend next door ({@link VectorConformanceTest}).
 */
class VectorBackendTest {
    private static final int L = VectorMatmul.L;
    private final VectorBackend one = new VectorBackend(1);
    private final VectorBackend two = new VectorBackend(2);
    private final SplittableRandom rnd = new SplittableRandom(11);

    private float[] uniform(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextDouble(-1, 1);
        }
        return x;
    }

    @Test
    void theProviderIsAvailableUnderTheBuildsArgLine() {
        VectorBackendProvider p = new VectorBackendProvider();
        assertNull(p.unavailableReason(), "the tests run with --add-modules jdk.incubator.vector");
        assertTrue(L >= 4, "lanes: " + L);
        assertEquals("vector", p.create().name());
    }

    @ParameterizedTest(name = "matmul [{0}, {1}] x [{1}, {2}]")
    @CsvSource({"1, 768, 768", "2, 13, 37", "3, 5, 1", "1, 130, 49", // decode stream, tails
        "4, 48, 48", "8, 48, 144", "7, 48, 192", "5, 130, 50", "9, 3, 17", "64, 200, 100", "4, 1, 1"})
    void matmulMatchesFloat64(int rows, int k, int n) {
        float[] x = uniform(rows * k);
        float[] w = uniform(k * n);
        float[] b = uniform(n);
        for (VectorBackend v : new VectorBackend[] {one, two}) {
            Tensor xt = v.fromArray(x, rows, k);
            Tensor wt = v.fromArray(w, k, n);
            Tensor bt = v.fromArray(b, n);
            check("matmul", product(x, w, null, rows, k, n), v.toArray(v.matmul(xt, wt)));
            check("linear", product(x, w, b, rows, k, n), v.toArray(v.linear(xt, wt, bt)));
            Tensor wTransposed = v.fromArray(transpose(w, k, n), n, k);
            check("matmulTransposed", product(x, w, null, rows, k, n),
                    v.toArray(v.matmulTransposed(xt, wTransposed)));
        }
    }

    /** [rows, n] = x [rows, k] · w [k, n] (+ bias) in double, and each output's Σ|terms| as a tolerance scale. */
    private static double[][] product(float[] x, float[] w, float[] bias, int rows, int k, int n) {
        double[] value = new double[rows * n];
        double[] scale = new double[rows * n];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < n; j++) {
                double s = bias == null ? 0 : bias[j];
                double a = Math.abs(s);
                for (int i = 0; i < k; i++) {
                    double t = (double) x[r * k + i] * w[i * n + j];
                    s += t;
                    a += Math.abs(t);
                }
                value[r * n + j] = s;
                scale[r * n + j] = a;
            }
        }
        return new double[][] {value, scale};
    }

    private static float[] transpose(float[] w, int k, int n) {
        float[] t = new float[w.length];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < n; j++) {
                t[j * k + i] = w[i * n + j];
            }
        }
        return t;
    }

    private static void check(String what, double[][] want, float[] got) {
        assertEquals(want[0].length, got.length, what + " length");
        for (int i = 0; i < got.length; i++) {
            double tol = 1e-5 * (1 + want[1][i]);
            assertEquals(want[0][i], got[i], tol, what + " at " + i);
        }
    }

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
                double u = Math.sqrt(2 / Math.PI) * (xi + 0.044715 * xi * xi * xi);
                assertEquals(0.5 * xi * (1 + Math.tanh(u)), ge[o], 1e-6 + 2 * Math.ulp(ge[o]), "gelu at " + o);
                assertEquals(xi + g[i], sum[o], Math.ulp((float) (xi + g[i])), "add at " + o);
            }
        }
    }

    @Test
    void attentionMatchesFloat64OverAKvCache() {
        int heads = 3;
        int a = 20; // one vector and a tail
        int tk = 2 * L + 3;
        int offset = tk - 2;
        float[] q = uniform(heads * 2 * a);
        float[] k = uniform(heads * tk * a);
        float[] v = uniform(heads * tk * a);
        float scale = 0.25f;
        float[] got = two.toArray(two.attention(two.fromArray(q, 1, heads, 2, a), two.fromArray(k, 1, heads, tk, a),
                two.fromArray(v, 1, heads, tk, a), scale, offset));
        float[] viaPrimitives = two.toArray(two.attentionMix(two.softmax(two.attentionScores(
                two.fromArray(q, 1, heads, 2, a), two.fromArray(k, 1, heads, tk, a), scale, offset)),
                two.fromArray(v, 1, heads, tk, a)));
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < 2; i++) {
                int visible = offset + i + 1;
                double[] p = new double[visible];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < visible; j++) {
                    double s = 0;
                    for (int d = 0; d < a; d++) {
                        s += (double) q[(h * 2 + i) * a + d] * k[(h * tk + j) * a + d];
                    }
                    p[j] = s * scale;
                    max = Math.max(max, p[j]);
                }
                double z = 0;
                for (int j = 0; j < visible; j++) {
                    p[j] = Math.exp(p[j] - max);
                    z += p[j];
                }
                for (int d = 0; d < a; d++) {
                    double want = 0;
                    for (int j = 0; j < visible; j++) {
                        want += p[j] / z * v[(h * tk + j) * a + d];
                    }
                    int o = (h * 2 + i) * a + d;
                    assertEquals(want, got[o], 1e-5, "fused attention at head " + h + ", query " + i + ", d " + d);
                    assertEquals(want, viaPrimitives[o], 1e-5, "scores/softmax/mix at " + o);
                }
            }
        }
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
