package dev.jgpt.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jgpt.api.Gelu;
import dev.jgpt.api.Tensor;
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
 * Op level, arithmetic: matmul, matmulTransposed, linear, layerNorm, gelu and softmax against the float64
 * {@link Oracle} on seeded random inputs (K = 1, N = 1, widths not a multiple of 8, K up to 768, softmax rows of
 * magnitude 1e3 and masked (−∞) entries), and several threads at once. Part of {@link OpConformance}.
 */
public abstract class MathOpConformance extends OpConformanceBase {
    /** x shapes and (K, N): one row, K = 1, N = 1, widths not a multiple of 8, long K, rank 4. */
    private static final Object[][] MATMUL_CASES = {
        {new int[] {1, 13}, 7},
        {new int[] {1, 1, 1}, 3},
        {new int[] {2, 5, 48}, 144},
        {new int[] {3, 11, 192}, 48},
        {new int[] {2, 768}, 9},
        {new int[] {2, 2, 3, 17}, 33},
        {new int[] {4, 100}, 1},
        {new int[] {1, 64, 64}, 256},
        {new int[] {13}, 7}, // rank 1: "[..., K]" includes an empty prefix
    };

    @TestFactory
    Stream<DynamicTest> matmul() {
        Inputs r = new Inputs(SEED + 5);
        List<DynamicTest> tests = new ArrayList<>();
        for (Object[] c : MATMUL_CASES) {
            int[] xs = (int[]) c[0];
            int k = xs[xs.length - 1];
            int n = (Integer) c[1];
            float[] x = r.uniform(Inputs.size(xs), -1, 1);
            float[] w = r.uniform(k * n, -1, 1);
            String label = "matmul x" + s(xs) + " · w" + s(k, n);
            tests.add(test(label, () -> check(label, Oracle.matmul(x, xs, w, k, n, null),
                    t -> backend.matmul(t[0], t[1]), in(x, xs), in(w, k, n))));
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> matmulTransposed() {
        Inputs r = new Inputs(SEED + 6);
        Object[][] cases = {
            {new int[] {3, 11, 48}, 3}, // llm-viz's LM head
            {new int[] {1, 1, 64}, 97}, // a decode step through a tied head
            {new int[] {5, 768}, 50},
            {new int[] {1, 13}, 7},
            {new int[] {2, 3, 4, 17}, 1},
            {new int[] {1, 1, 1}, 5},
            {new int[] {48}, 3}, // rank 1
        };
        List<DynamicTest> tests = new ArrayList<>();
        for (Object[] c : cases) {
            int[] xs = (int[]) c[0];
            int k = xs[xs.length - 1];
            int n = (Integer) c[1];
            float[] x = r.uniform(Inputs.size(xs), -1, 1);
            float[] w = r.uniform(n * k, -1, 1);
            String label = "matmulTransposed x" + s(xs) + " · w" + s(n, k) + "ᵀ";
            tests.add(test(label, () -> check(label, Oracle.matmulTransposed(x, xs, w, n, k),
                    t -> backend.matmulTransposed(t[0], t[1]), in(x, xs), in(w, n, k))));
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> linear() {
        Inputs r = new Inputs(SEED + 7);
        Object[][] cases = {
            {new int[] {2, 3, 48}, 144, true},
            {new int[] {2, 3, 48}, 144, false},
            {new int[] {1, 1, 13}, 7, true},
            {new int[] {1, 64, 256}, 64, true},
            {new int[] {3, 1, 5}, 1, true},
            {new int[] {5}, 3, true}, // rank 1
        };
        List<DynamicTest> tests = new ArrayList<>();
        for (Object[] c : cases) {
            int[] xs = (int[]) c[0];
            int k = xs[xs.length - 1];
            int n = (Integer) c[1];
            boolean hasBias = (Boolean) c[2];
            float[] x = r.uniform(Inputs.size(xs), -1, 1);
            float[] w = r.uniform(k * n, -1, 1);
            float[] b = hasBias ? r.uniform(n, -1, 1) : null;
            String label = "linear x" + s(xs) + " · w" + s(k, n) + (hasBias ? " + bias" + s(n) : ", bias null");
            tests.add(test(label, () -> check(label, Oracle.matmul(x, xs, w, k, n, b),
                    t -> backend.linear(t[0], t[1], t[2]), in(x, xs), in(w, k, n), hasBias ? in(b, n) : null)));
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> layerNorm() {
        Inputs r = new Inputs(SEED + 8);
        List<DynamicTest> tests = new ArrayList<>();
        // shape, eps, beta?, mean of x, std of x, description
        Object[][] cases = {
            {new int[] {2, 3, 48}, 1e-5f, true, 0.0, 1.0, ""},
            {new int[] {2, 3, 48}, 1e-5f, false, 0.0, 1.0, ", beta null"},
            {new int[] {1, 1, 1}, 1e-5f, true, 0.5, 1.0, ", C = 1"},
            {new int[] {4, 13}, 1e-6f, true, 0.0, 2.0, ", with constant rows"},
            {new int[] {2, 768}, 1e-5f, true, 30.0, 1.0, ", mean 30 (a residual stream with an offset)"},
            {new int[] {1, 5}, 1e-5f, true, 0.0, 1000.0, ", values of magnitude 1e3"},
            {new int[] {3, 7}, 1e-5f, true, 0.0, 1e-3, ", variance below eps"},
            {new int[] {13}, 1e-5f, true, 0.0, 1.0, ", rank 1"},
        };
        for (Object[] c : cases) {
            int[] xs = (int[]) c[0];
            int width = xs[xs.length - 1];
            float eps = (Float) c[1];
            boolean hasBeta = (Boolean) c[2];
            float[] x = r.normal(Inputs.size(xs), (Double) c[3], (Double) c[4]);
            if (((String) c[5]).contains("constant")) {
                Arrays.fill(x, 0, width, 0.1f);
                Arrays.fill(x, 2 * width, 3 * width, -7f);
            }
            float[] gamma = r.normal(width, 1, 0.3);
            float[] beta = hasBeta ? r.normal(width, 0, 0.3) : null;
            String label = "layerNorm x" + s(xs) + " eps " + eps + c[5];
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
                    Oracle.gelu(grid, new int[] {grid.length}, form), t -> backend.gelu(t[0], form),
                    in(grid, grid.length))));
            for (int[] xs : new int[][] {{1, 1}, {3, 7}, {2, 3, 13}, {2, 5, 192}}) {
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
        cases.add(new Object[] {new int[] {5}, r.normal(5, 0, 1), "rank 1"});
        cases.add(new Object[] {new int[] {3, 13}, r.normal(39, 0, 1000), "scores of magnitude 1e3"});
        float[] near = r.normal(14, 1000, 3);
        for (int i = 7; i < 14; i++) {
            near[i] -= 2000; // a row around −1000
        }
        cases.add(new Object[] {new int[] {2, 7}, near, "rows around +1000 and −1000"});
        cases.add(new Object[] {new int[] {1, 1024}, r.normal(1024, 0, 2), "width 1024"});
        cases.add(new Object[] {new int[] {2, 2, 5, 5}, masked(r.normal(100, 0, 3), 2 * 2, 5, 5, 0),
            "causally masked (−∞ above the diagonal)"});
        cases.add(new Object[] {new int[] {2, 4}, new float[] {Float.NEGATIVE_INFINITY, 7f, Float.NEGATIVE_INFINITY,
            Float.NEGATIVE_INFINITY, -1000f, Float.NEGATIVE_INFINITY, 1000f, 999.5f}, "one finite entry; ±1e3"});
        cases.add(new Object[] {new int[] {1, 1, 64, 64}, masked(r.normal(64 * 64, 0, 1000), 1, 64, 64, 0),
            "masked 64×64 of magnitude 1e3"});
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
        int n = 80;
        Inputs r = new Inputs(SEED + 23);
        float[] x = r.uniform(rows * k, -1, 1);
        float[] w1 = r.uniform(k * n, -0.3, 0.3);
        float[] w2 = r.uniform(k * n, -0.3, 0.3);
        float[] bias = r.uniform(n, -1, 1);
        int[] xs = {2, rows / 2, k};
        Tensor xt = backend.fromArray(x, xs);
        Tensor wt1 = backend.fromArray(w1, k, n);
        Tensor wt2 = backend.fromArray(w2, k, n);
        Tensor bt = backend.fromArray(bias, n);
        Tensor kept = backend.matmul(xt, wt1);
        float[] keptHost = backend.toArray(kept);
        Oracle.matmul(x, xs, w1, k, n, null).verify("matmul kept", kept.shape(), keptHost);
        for (int round = 0; round < 4; round++) {
            Tensor y = backend.linear(xt, round % 2 == 0 ? wt1 : wt2, bt);
            Tensor g = backend.gelu(y, Gelu.TANH);
            float[] yHost = backend.toArray(y);
            Oracle.matmul(x, xs, round % 2 == 0 ? w1 : w2, k, n, bias).verify("linear after releases, round "
                    + round, y.shape(), yHost);
            backend.release(y);
            backend.release(y); // twice: must not put its memory up for reuse twice
            Tensor a = backend.matmul(xt, wt1);
            Tensor b = backend.matmul(xt, wt2);
            Oracle.matmul(x, xs, w1, k, n, null).verify("matmul a, made after a double release, read after b",
                    a.shape(), backend.toArray(a));
            Oracle.matmul(x, xs, w2, k, n, null).verify("matmul b, made after a double release", b.shape(),
                    backend.toArray(b));
            Oracle.gelu(yHost, y.shape(), Gelu.TANH).verify("gelu made before the releases",
                    g.shape(), backend.toArray(g));
            backend.release(a);
            backend.release(b);
            backend.release(g);
        }
        assertArrayEquals(keptHost, backend.toArray(kept), 0f, "a tensor not released changed after others were");
        Expected.exact(xs, x).verify("input after releases", xt.shape(), backend.toArray(xt));
        for (Tensor t : new Tensor[] {kept, xt, wt1, wt2, bt}) {
            backend.release(t);
        }
    }

    // ------------------------------------------------------------------------------------------------ threads

    @Test
    void severalThreadsAtOnceGetCorrectResults() throws InterruptedException {
        int k = 64;
        int n = 96;
        Inputs r = new Inputs(SEED + 19);
        float[] w = r.uniform(k * n, -0.3, 0.3);
        Tensor shared = backend.fromArray(w, k, n); // shared like a weight
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int thread = 0; thread < 4; thread++) {
                long seed = SEED + 100 + thread;
                futures.add(pool.submit(() -> {
                    Inputs ri = new Inputs(seed);
                    for (int it = 0; it < 10; it++) {
                        float[] x = ri.uniform(3 * 5 * k, -1, 1);
                        Tensor xt = backend.fromArray(x, 3, 5, k);
                        Tensor y = backend.matmul(xt, shared);
                        Tensor p = backend.softmax(y);
                        float[] yHost = backend.toArray(y);
                        Oracle.matmul(x, new int[] {3, 5, k}, w, k, n, null).verify("matmul on thread " + seed,
                                y.shape(), yHost);
                        Oracle.softmax(yHost, n, new int[] {3, 5, n}).verify("softmax on thread " + seed, p.shape(),
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
            backend.release(shared);
        }
    }
}
