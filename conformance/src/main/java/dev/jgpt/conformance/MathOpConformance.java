package dev.jgpt.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jgpt.api.DType;
import dev.jgpt.api.Gelu;
import dev.jgpt.api.Tensor;
import dev.jgpt.api.WeightData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Op level, arithmetic: add (residual and bias), matmul and linear on float32 tensors and on weights of every
 * {@link DType} (against the float64 product of the dequantized weight), layerNorm, gelu and softmax, against the
 * float64 {@link Oracle} on seeded random inputs: N = 1, 2, 3, 4, 5, 17, 64 tokens, widths that are not multiples of 8
 * or 16, K up to 768, softmax rows of magnitude 1e3 and masked (−∞) entries; and released memory, several threads at
 * once. Part of {@link OpConformance}.
 */
public abstract class MathOpConformance extends OpConformanceBase {
    /** Token counts every matmul and linear check runs. */
    static final int[] TOKENS = {1, 2, 3, 4, 5, 17, 64};
    /** In-widths K (by token count) for float weights: 1, odd, prime, just above and below powers of two, long. */
    private static final int[] K_FLOAT = {13, 1, 33, 100, 768, 17, 67};
    /** In-widths K for Q8_0/Q4_0 (multiples of their block of 32, not all of 64 or 128). */
    private static final int[] K_QUANT = {32, 96, 160, 64, 768, 32, 224};
    /** Out-widths M (by token count). */
    private static final int[] M = {7, 3, 1, 29, 9, 50, 97};

    /** How a matmul's weight is given: a float32 tensor from fromArray (null), or weight() of a dtype. */
    private static final DType[] WEIGHT_FORMS = {null, DType.F32, DType.F16, DType.BF16, DType.Q8_0, DType.Q4_0};

    private static String form(DType type) {
        return type == null ? "fromArray w" : type + " weight";
    }

    /** A random [m, k] weight given as {@code type}, its input, and its dequantized values for the oracle. */
    private static In weightInput(Inputs r, DType type, int m, int k, float[][] dequantized) {
        if (type == null) {
            dequantized[0] = r.uniform(m * k, -1, 1);
            return in(dequantized[0], m, k);
        }
        WeightData w = r.weight(type, m, k);
        dequantized[0] = Inputs.decoded(w);
        return in(w);
    }

    @TestFactory
    Stream<DynamicTest> add() {
        Inputs r = new Inputs(SEED + 4);
        List<DynamicTest> tests = new ArrayList<>();
        int[][] cases = {{1, 1}, {1, 13}, {5, 48}, {17, 100}, {64, 33}, {3, 768}};
        for (int[] c : cases) {
            float[] a = r.normal(c[0] * c[1], 0, 3);
            float[] same = r.normal(c[0] * c[1], 0, 3);
            float[] bias = r.normal(c[1], 0, 3);
            String residual = "add residual " + s(c) + " + " + s(c);
            tests.add(test(residual, () -> check(residual, Oracle.add(a, c, same), t -> backend.add(t[0], t[1]),
                    in(a, c), in(same, c))));
            String broadcast = "add bias " + s(c) + " + " + s(c[1]);
            tests.add(test(broadcast, () -> check(broadcast, Oracle.add(a, c, bias), t -> backend.add(t[0], t[1]),
                    in(a, c), in(bias, c[1]))));
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> matmul() {
        Inputs r = new Inputs(SEED + 5);
        List<DynamicTest> tests = new ArrayList<>();
        for (DType type : WEIGHT_FORMS) {
            for (int i = 0; i < TOKENS.length; i++) {
                int n = TOKENS[i];
                int k = (type != null && type.quantized() ? K_QUANT : K_FLOAT)[i];
                int m = M[i];
                float[] x = r.uniform(n * k, -1, 1);
                float[][] w = new float[1][];
                In wIn = weightInput(r, type, m, k, w);
                DType tol = type == null ? DType.F32 : type;
                String label = "matmul x" + s(n, k) + " · " + form(type) + s(m, k);
                tests.add(test(label, () -> check(label, Oracle.matmul(x, n, k, w[0], m, null, tol),
                        t -> backend.matmul(t[0], t[1]), in(x, n, k), wIn)));
            }
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> linear() {
        Inputs r = new Inputs(SEED + 7);
        List<DynamicTest> tests = new ArrayList<>();
        for (DType type : WEIGHT_FORMS) {
            for (int i : new int[] {0, 2, 4, 5, 6}) {
                for (boolean hasBias : new boolean[] {true, false}) {
                    int n = TOKENS[i];
                    int k = (type != null && type.quantized() ? K_QUANT : K_FLOAT)[(i + 1) % TOKENS.length];
                    int m = M[(i + 3) % M.length];
                    float[] x = r.uniform(n * k, -1, 1);
                    float[][] w = new float[1][];
                    In wIn = weightInput(r, type, m, k, w);
                    float[] b = hasBias ? r.uniform(m, -1, 1) : null;
                    DType tol = type == null ? DType.F32 : type;
                    String label = "linear x" + s(n, k) + " · " + form(type) + s(m, k)
                            + (hasBias ? " + bias" + s(m) : ", bias null");
                    tests.add(test(label, () -> check(label, Oracle.matmul(x, n, k, w[0], m, b, tol),
                            t -> backend.linear(t[0], t[1], t[2]), in(x, n, k), wIn, hasBias ? in(b, m) : null)));
                }
            }
        }
        // the widths of small models (the nano sort model's 48, 144 and 192; multiples of 16), where a backend may
        // take another path than for GPT-2's (a narrow weight kept transposed, say): N, K, M
        for (int[] c : new int[][] {{5, 48, 144}, {17, 48, 48}, {64, 192, 48}, {1, 48, 192}, {6, 100, 64}}) {
            for (DType type : new DType[] {null, DType.F32}) {
                int n = c[0];
                int k = c[1];
                int m = c[2];
                float[] x = r.uniform(n * k, -1, 1);
                float[][] w = new float[1][];
                In wIn = weightInput(r, type, m, k, w);
                float[] b = r.uniform(m, -1, 1);
                String label = "linear x" + s(n, k) + " · " + form(type) + s(m, k) + " + bias" + s(m)
                        + " (small-model widths)";
                tests.add(test(label, () -> check(label, Oracle.matmul(x, n, k, w[0], m, b, DType.F32),
                        t -> backend.linear(t[0], t[1], t[2]), in(x, n, k), wIn, in(b, m))));
            }
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> layerNorm() {
        Inputs r = new Inputs(SEED + 8);
        List<DynamicTest> tests = new ArrayList<>();
        // N, C, eps, beta?, mean of x, std of x, description
        Object[][] cases = {
            {5, 48, 1e-5f, true, 0.0, 1.0, ""},
            {5, 48, 1e-5f, false, 0.0, 1.0, ", beta null"},
            {1, 1, 1e-5f, true, 0.5, 1.0, ", C = 1"},
            {4, 13, 1e-6f, true, 0.0, 2.0, ", with constant rows"},
            {2, 768, 1e-5f, true, 30.0, 1.0, ", mean 30 (a residual stream with an offset)"},
            {1, 5, 1e-5f, true, 0.0, 1000.0, ", values of magnitude 1e3"},
            {3, 7, 1e-5f, true, 0.0, 1e-3, ", variance below eps"},
            {17, 100, 1e-5f, false, 0.0, 1.0, ", beta null"},
            {64, 33, 1e-5f, true, -2.0, 3.0, ""},
        };
        for (Object[] c : cases) {
            int n = (Integer) c[0];
            int width = (Integer) c[1];
            float eps = (Float) c[2];
            boolean hasBeta = (Boolean) c[3];
            float[] x = r.normal(n * width, (Double) c[4], (Double) c[5]);
            if (((String) c[6]).contains("constant")) {
                Arrays.fill(x, 0, width, 0.1f);
                Arrays.fill(x, 2 * width, 3 * width, -7f);
            }
            float[] gamma = r.normal(width, 1, 0.3);
            float[] beta = hasBeta ? r.normal(width, 0, 0.3) : null;
            int[] xs = {n, width};
            String label = "layerNorm x" + s(xs) + " eps " + eps + c[6];
            tests.add(test(label, () -> check(label, Oracle.layerNorm(x, width, gamma, beta, eps, xs),
                    t -> backend.layerNorm(t[0], t[1], t[2], eps), in(x, xs), in(gamma, width),
                    hasBeta ? in(beta, width) : null)));
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> gelu() {
        Inputs r = new Inputs(SEED + 9);
        float[] grid = {-30f, -10f, -5f, -3f, -2f, -1f, -0.5f, -1e-3f, 0f, 1e-3f, 0.5f, 1f, 2f, 3f, 5f, 10f, 30f};
        List<DynamicTest> tests = new ArrayList<>();
        for (Gelu form : Gelu.values()) {
            tests.add(test("gelu " + form + " on a grid -30..30", () -> check("gelu " + form + " grid",
                    Oracle.gelu(grid, new int[] {1, grid.length}, form), t -> backend.gelu(t[0], form),
                    in(grid, 1, grid.length))));
            for (int[] xs : new int[][] {{1, 1}, {3, 7}, {17, 13}, {5, 192}, {64, 33}}) {
                float[] x = r.uniform(Inputs.size(xs), -8, 8);
                String label = "gelu " + form + " x" + s(xs);
                tests.add(test(label, () -> check(label, Oracle.gelu(x, xs, form), t -> backend.gelu(t[0], form),
                        in(x, xs))));
            }
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> softmax() {
        Inputs r = new Inputs(SEED + 10);
        List<DynamicTest> tests = new ArrayList<>();
        List<Object[]> cases = new ArrayList<>();
        cases.add(new Object[] {new int[] {1, 1}, new float[] {3.5f}, "width 1"});
        cases.add(new Object[] {new int[] {2, 3}, r.normal(6, 0, 1), ""});
        cases.add(new Object[] {new int[] {3, 13}, r.normal(39, 0, 1000), "scores of magnitude 1e3"});
        float[] near = r.normal(14, 1000, 3);
        for (int i = 7; i < 14; i++) {
            near[i] -= 2000; // a row around −1000
        }
        cases.add(new Object[] {new int[] {2, 7}, near, "rows around +1000 and −1000"});
        cases.add(new Object[] {new int[] {1, 1024}, r.normal(1024, 0, 2), "width 1024"});
        cases.add(new Object[] {new int[] {17, 17}, masked(r.normal(17 * 17, 0, 3), 1, 17, 17, 0),
            "causally masked (−∞ above the diagonal)"});
        cases.add(new Object[] {new int[] {2, 4}, new float[] {Float.NEGATIVE_INFINITY, 7f, Float.NEGATIVE_INFINITY,
            Float.NEGATIVE_INFINITY, -1000f, Float.NEGATIVE_INFINITY, 1000f, 999.5f}, "one finite entry; ±1e3"});
        cases.add(new Object[] {new int[] {64, 64}, masked(r.normal(64 * 64, 0, 1000), 1, 64, 64, 0),
            "masked 64×64 of magnitude 1e3"});
        cases.add(new Object[] {new int[] {5, 100}, masked(r.normal(500, 0, 5), 1, 5, 100, 60),
            "−∞ tails of different lengths"});
        for (Object[] c : cases) {
            int[] xs = (int[]) c[0];
            float[] x = (float[]) c[1];
            String label = "softmax x" + s(xs) + (((String) c[2]).isEmpty() ? "" : ", " + c[2]);
            tests.add(test(label, () -> check(label, Oracle.softmax(x, xs[xs.length - 1], xs),
                    t -> backend.softmax(t[0]), in(x, xs))));
        }
        return tests.stream();
    }

    // ------------------------------------------------------------------------------------------------ release

    /**
     * A backend may reuse a released tensor's memory for later results (the vector backend does), so: results made
     * after releases are still right, tensors not released keep their values, and releasing a tensor twice does not
     * hand its memory to two results. Sizes are large enough (64 × 96) for any reasonable reuse threshold.
     */
    @Test
    void releasedMemoryIsReusedWithoutCorruptingLiveTensors() {
        int rows = 64;
        int k = 96;
        int m = 80;
        Inputs r = new Inputs(SEED + 23);
        float[] x = r.uniform(rows * k, -1, 1);
        float[] w1 = r.uniform(m * k, -0.3, 0.3);
        WeightData w2 = r.weight(DType.Q8_0, m, k);
        float[] w2f = Inputs.decoded(w2);
        float[] bias = r.uniform(m, -1, 1);
        Tensor xt = backend.fromArray(x, rows, k);
        Tensor wt1 = backend.fromArray(w1, m, k);
        Tensor wt2 = backend.weight(w2);
        Tensor bt = backend.fromArray(bias, m);
        Tensor kept = backend.matmul(xt, wt1);
        float[] keptHost = backend.toArray(kept);
        Oracle.matmul(x, rows, k, w1, m, null, DType.F32).verify("matmul kept", kept.shape(), keptHost);
        for (int round = 0; round < 4; round++) {
            boolean first = round % 2 == 0;
            Tensor y = backend.linear(xt, first ? wt1 : wt2, bt);
            Tensor g = backend.gelu(y, Gelu.TANH);
            float[] yHost = backend.toArray(y);
            Oracle.matmul(x, rows, k, first ? w1 : w2f, m, bias, first ? DType.F32 : DType.Q8_0)
                    .verify("linear after releases, round " + round, y.shape(), yHost);
            backend.release(y);
            backend.release(y); // twice: must not put its memory up for reuse twice
            Tensor a = backend.matmul(xt, wt1);
            Tensor b = backend.matmul(xt, wt2);
            Oracle.matmul(x, rows, k, w1, m, null, DType.F32).verify("matmul a, made after a double release, read "
                    + "after b", a.shape(), backend.toArray(a));
            Oracle.matmul(x, rows, k, w2f, m, null, DType.Q8_0).verify("matmul b (Q8_0 weight), made after a double "
                    + "release", b.shape(), backend.toArray(b));
            Oracle.gelu(yHost, y.shape(), Gelu.TANH).verify("gelu made before the releases", g.shape(),
                    backend.toArray(g));
            backend.release(a);
            backend.release(b);
            backend.release(g);
        }
        assertArrayEquals(keptHost, backend.toArray(kept), 0f, "a tensor not released changed after others were");
        Expected.exact(new int[] {rows, k}, x).verify("input after releases", xt.shape(), backend.toArray(xt));
        for (Tensor t : new Tensor[] {kept, xt, wt1, wt2, bt}) {
            backend.release(t);
        }
    }

    // ------------------------------------------------------------------------------------------------ threads

    /** Four threads share one weight of each kind (as a model's are shared) and each run matmul and softmax. */
    @Test
    void severalThreadsAtOnceGetCorrectResults() throws InterruptedException {
        int k = 64;
        int m = 96;
        Inputs r = new Inputs(SEED + 19);
        WeightData[] ws = {r.weight(DType.F32, m, k), r.weight(DType.Q4_0, m, k)};
        Tensor[] shared = {backend.weight(ws[0]), backend.weight(ws[1])};
        float[][] wf = {Inputs.decoded(ws[0]), Inputs.decoded(ws[1])};
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int thread = 0; thread < 4; thread++) {
                long seed = SEED + 100 + thread;
                futures.add(pool.submit(() -> {
                    Inputs ri = new Inputs(seed);
                    for (int it = 0; it < 10; it++) {
                        int n = TOKENS[it % TOKENS.length];
                        int which = it % 2;
                        float[] x = ri.uniform(n * k, -1, 1);
                        Tensor xt = backend.fromArray(x, n, k);
                        Tensor y = backend.matmul(xt, shared[which]);
                        Tensor p = backend.softmax(y);
                        float[] yHost = backend.toArray(y);
                        Oracle.matmul(x, n, k, wf[which], m, null, ws[which].dtype()).verify("matmul on thread "
                                + seed, y.shape(), yHost);
                        Oracle.softmax(yHost, m, new int[] {n, m}).verify("softmax on thread " + seed, p.shape(),
                                backend.toArray(p));
                        backend.release(xt);
                        backend.release(y);
                        backend.release(p);
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof AssertionError) {
                        throw (AssertionError) e.getCause();
                    }
                    fail("a thread failed: " + e.getCause(), e.getCause());
                }
            }
        } finally {
            pool.shutdownNow();
            backend.release(shared[0]);
            backend.release(shared[1]);
        }
    }
}
