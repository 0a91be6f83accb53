package dev.jgpt.backend.nd4j;

import static dev.jgpt.backend.nd4j.Oracle.assertClose;
import static dev.jgpt.backend.nd4j.Oracle.uniform;
import static dev.jgpt.backend.nd4j.Oracle.widen;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jgpt.api.Gelu;
import dev.jgpt.api.ScalarMath;
import dev.jgpt.api.Shapes;
import dev.jgpt.api.Tensor;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The elementwise, per-row and matrix primitives against {@link Oracle}'s float64 loops, with seeded random inputs
 * and awkward widths (1 row, 7, 13: no multiple of 8). Tolerances are absolute + relative, stated per test.
 */
class Nd4jPrimitivesTest {
    private static final Nd4jBackend ND = new Nd4jBackend();

    /** float32 sums of up to ~100 terms in [-1, 1]: far inside 1e-5 abs + 1e-5 rel. */
    private static final double ATOL = 1e-5;
    private static final double RTOL = 1e-5;

    private static float[] toArray(Tensor t) {
        return ND.toArray(t);
    }

    @Test
    void gatherRowsCopiesTheRowsOfTheIdsIntoThePrefixShape() {
        Random r = new Random(1);
        float[] table = uniform(r, 11 * 13, -1, 1);
        int[] ids = {10, 0, 3, 3, 7, 0};
        Tensor out = ND.gatherRows(ND.fromArray(table, 11, 13), ids, 2, 3);
        assertArrayEquals(new int[] {2, 3, 13}, out.shape());
        double[] expected = new double[ids.length * 13];
        for (int i = 0; i < ids.length; i++) {
            for (int c = 0; c < 13; c++) {
                expected[i * 13 + c] = table[ids[i] * 13 + c];
            }
        }
        assertClose("gatherRows", expected, toArray(out), 0, 0);
        Tensor one = ND.gatherRows(ND.fromArray(table, 11, 13), new int[] {5}, 1, 1);
        assertArrayEquals(new int[] {1, 1, 13}, one.shape());
        assertClose("gatherRows one", java.util.Arrays.copyOfRange(widen(table), 65, 78), toArray(one), 0, 0);
        assertThrows(IndexOutOfBoundsException.class, () -> ND.gatherRows(ND.fromArray(table, 11, 13), new int[] {11}, 1));
    }

    @ParameterizedTest(name = "[{0}] + [{1}]")
    @CsvSource({"2x3x7, 2x3x7", "2x3x7, 7", "2x3x13, 3x13", "1x13, 13", "5, 5"})
    void addBroadcastsTheTrailingSuffix(String aShape, String bShape) {
        Random r = new Random(aShape.hashCode() ^ bShape.hashCode());
        int[] sa = dims(aShape);
        int[] sb = dims(bShape);
        float[] a = uniform(r, Shapes.intSize(sa), -2, 2);
        float[] b = uniform(r, Shapes.intSize(sb), -2, 2);
        Tensor out = ND.add(ND.fromArray(a, sa), ND.fromArray(b, sb));
        assertArrayEquals(sa, out.shape());
        assertClose("add", Oracle.add(widen(a), b), toArray(out), 1e-6, 1e-6);
    }

    @Test
    void addRejectsAShapeThatIsNoSuffix() {
        Tensor a = ND.fromArray(new float[6], 2, 3);
        assertThrows(IllegalArgumentException.class, () -> ND.add(a, ND.fromArray(new float[2], 2)));
    }

    @ParameterizedTest(name = "x {0} by w [{1}, {2}]")
    @CsvSource({"1x7, 7, 13", "2x3x13, 13, 7", "5x64, 64, 100", "7, 7, 1", "4x1, 1, 9", "3x768, 768, 5"})
    void matmulAndMatmulTransposedMatchTheDoubleProduct(String xShape, int k, int n) {
        Random r = new Random(xShape.hashCode() + 31L * k + n);
        int[] sx = dims(xShape);
        int rows = Shapes.rows(sx);
        float[] x = uniform(r, rows * k, -1, 1);
        float[] w = uniform(r, k * n, -1, 1);
        float[] wt = new float[k * n];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < n; j++) {
                wt[j * k + i] = w[i * n + j];
            }
        }
        double tol = k > 100 ? 1e-4 : ATOL; // 768 float32 terms: error ~ √768·6e-8·|partial sums|
        double[] expected = Oracle.matmul(x, w, rows, k, n, false);
        Tensor out = ND.matmul(ND.fromArray(x, sx), ND.fromArray(w, k, n));
        assertArrayEquals(Shapes.withLast(sx, n), out.shape());
        assertClose("matmul", expected, toArray(out), tol, RTOL);
        Tensor outT = ND.matmulTransposed(ND.fromArray(x, sx), ND.fromArray(wt, n, k));
        assertArrayEquals(Shapes.withLast(sx, n), outT.shape());
        assertClose("matmulTransposed", Oracle.matmul(x, wt, rows, k, n, true), toArray(outT), tol, RTOL);
        assertThrows(IllegalArgumentException.class, () -> ND.matmul(ND.fromArray(x, sx), ND.fromArray(w, n, k)));
    }

    @Test
    void linearAddsTheBiasToTheProductAndAllowsNone() {
        Random r = new Random(7);
        float[] x = uniform(r, 2 * 3 * 13, -1, 1);
        float[] w = uniform(r, 13 * 7, -1, 1);
        float[] bias = uniform(r, 7, -1, 1);
        double[] product = Oracle.matmul(x, w, 6, 13, 7, false);
        Tensor withBias = ND.linear(ND.fromArray(x, 2, 3, 13), ND.fromArray(w, 13, 7), ND.fromArray(bias, 7));
        assertArrayEquals(new int[] {2, 3, 7}, withBias.shape());
        assertClose("linear", Oracle.add(product, bias), toArray(withBias), ATOL, RTOL);
        Tensor noBias = ND.linear(ND.fromArray(x, 2, 3, 13), ND.fromArray(w, 13, 7), null);
        assertClose("linear without bias", product, toArray(noBias), ATOL, RTOL);
    }

    @ParameterizedTest(name = "{0} rows of {1}, mean {2}, beta {3}")
    @CsvSource({"1, 7, 0, true", "6, 13, 0, false", "4, 768, 0, true", "3, 13, 100, true", "2, 1, 0, true"})
    void layerNormUsesTheBiasedVarianceAndAnOptionalBeta(int rows, int c, double mean, boolean withBeta) {
        Random r = new Random(rows * 1000L + c);
        float[] x = uniform(r, rows * c, mean - 3, mean + 3);
        float[] gamma = uniform(r, c, 0.5, 1.5);
        float[] beta = withBeta ? uniform(r, c, -1, 1) : null;
        float eps = 1e-5f;
        Tensor out = ND.layerNorm(ND.fromArray(x, rows, c), ND.fromArray(gamma, c),
                withBeta ? ND.fromArray(beta, c) : null, eps);
        assertArrayEquals(new int[] {rows, c}, out.shape());
        // mean 100 costs float32 digits in x − μ itself (ulp of 100 is 7.6e-6, over σ ≈ 1.7)
        double tol = mean == 0 ? 2e-5 : 2e-4;
        assertClose("layerNorm", Oracle.layerNorm(x, c, gamma, beta, eps), toArray(out), tol, RTOL);
    }

    @Test
    void geluTanhMatchesTheTanhFormulaAndScalarMath() {
        float[] x = geluInputs();
        Tensor out = ND.gelu(ND.fromArray(x, 3, x.length / 3), Gelu.TANH);
        double[] expected = new double[x.length];
        double[] reference = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            expected[i] = Oracle.geluTanh(x[i]);
            reference[i] = ScalarMath.geluTanh(x[i]);
        }
        assertClose("gelu tanh vs float64", expected, toArray(out), 1e-6, 1e-5);
        assertClose("gelu tanh vs ScalarMath", reference, toArray(out), 1e-6, 1e-5);
    }

    @Test
    void geluErfMatchesTheExactFormulaAndScalarMath() {
        float[] x = geluInputs();
        Tensor out = ND.gelu(ND.fromArray(x, x.length), Gelu.ERF);
        double[] expected = new double[x.length];
        double[] reference = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            expected[i] = Oracle.geluErf(x[i]);
            reference[i] = ScalarMath.geluErf(x[i]);
        }
        assertClose("gelu erf vs float64", expected, toArray(out), 1e-6, 1e-5);
        assertClose("gelu erf vs ScalarMath", reference, toArray(out), 1e-6, 1e-5);
    }

    /** The gelu tolerances (1e-6 abs) are far below the gap between the forms, so the wrong form fails. */
    @Test
    void theGeluToleranceTellsTheFormsApart() {
        double gap = 0;
        for (float x : geluInputs()) {
            gap = Math.max(gap, Math.abs(Oracle.geluTanh(x) - Oracle.geluErf(x)));
        }
        org.junit.jupiter.api.Assertions.assertTrue(gap > 1e-4, "max gap between the forms " + gap);
    }

    /** [-10, 10] in random steps, plus 0, ±1e-3 and saturated ±30. */
    private static float[] geluInputs() {
        Random r = new Random(11);
        float[] x = uniform(r, 3 * 67, -10, 10);
        x[0] = 0f;
        x[1] = 1e-3f;
        x[2] = -1e-3f;
        x[3] = 30f;
        x[4] = -30f;
        return x;
    }

    @Test
    void softmaxIsStableForLargeScoresAndGivesMaskedEntriesZero() {
        Random r = new Random(3);
        int c = 13;
        float[] x = uniform(r, 4 * c, -3, 3);
        for (int i = c; i < 2 * c; i++) {
            x[i] = 1000f + x[i]; // magnitude 1e3: exp would overflow without the max subtracted
        }
        for (int i = 2 * c + 5; i < 3 * c; i++) {
            x[i] = Float.NEGATIVE_INFINITY; // a causally masked row
        }
        for (int i = 3 * c; i < 4 * c; i++) {
            x[i] = i == 3 * c + 6 ? -1000f : Float.NEGATIVE_INFINITY; // one finite entry
        }
        float[] out = toArray(ND.softmax(ND.fromArray(x, 2, 2, c)));
        assertClose("softmax", Oracle.softmax(x, c), out, 1e-6, 1e-5);
        assertEquals(1f, out[3 * c + 6], 0f);
        for (int i = 2 * c + 5; i < 3 * c; i++) {
            assertEquals(0f, out[i], 0f, "masked entry " + i);
        }
        float[] one = toArray(ND.softmax(ND.fromArray(new float[] {1e3f, -1e3f, 999f, Float.NEGATIVE_INFINITY, 7f,
            1e3f, 0f}, 7)));
        assertClose("softmax 1 row of 7", Oracle.softmax(new float[] {1e3f, -1e3f, 999f, Float.NEGATIVE_INFINITY,
            7f, 1e3f, 0f}, 7), one, 1e-6, 1e-5);
    }

    static int[] dims(String spec) {
        String[] parts = spec.trim().split("x");
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = Integer.parseInt(parts[i]);
        }
        return out;
    }
}
