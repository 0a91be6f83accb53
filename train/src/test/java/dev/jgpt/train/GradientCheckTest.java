package dev.jgpt.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;


import dev.jgpt.model.GptConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every backward against central finite differences of the float64 {@link Reference} forward.
 *
 * <p>For a layer y = f(x) and a random upstream gradient g, the float32 backward's dx must match
 * ∂(Σ g·f(x))/∂x computed as (L(x+h) − L(x−h)) / 2h in float64 with h = 1e-5 (error ~1e-10). Tolerance:
 * |analytic − numeric| ≤ 1e-3 · max|numeric| over the tensor, plus 1e-6 — float32 rounding is ~1e-6 relative, while a
 * missing term or a wrong index is off by a large fraction of the gradient. Each check also asserts the gradient is not
 * trivially zero, and the float forward is compared with the reference within 1e-5.
 */
class GradientCheckTest {
    private static final double H = 1e-5;
    private final SplittableRandom rnd = new SplittableRandom(42);

    @Test
    void embedding() {
        int b = 2, t = 3, c = 4, v = 3, p = 5;
        int[] ids = {2, 0, 2, 1, 1, 0};
        float[] wte = uniform(v * c, 1), wpe = uniform(p * c, 1), dout = uniform(b * t * c, 1);
        float[] out = new float[b * t * c];
        Embedding.forward(out, ids, rows(wte, v, c), rows(wpe, p, c), b, t, c);
        assertClose(Reference.embedding(ids, d(wte), d(wpe), b, t, c), out);
        float[][] dwte = new float[v][c], dwpe = new float[p][c];
        Embedding.backward(dwte, dwpe, dout, ids, b, t, c);
        double[] xWte = d(wte), xWpe = d(wpe);
        check("dwte", flat(dwte), xWte, x -> dot(dout, Reference.embedding(ids, x, xWpe, b, t, c)));
        check("dwpe", flat(dwpe), xWpe, x -> dot(dout, Reference.embedding(ids, xWte, x, b, t, c)));
    }

    @Test
    void layerNorm() {
        int n = 3, c = 7;
        float eps = 1e-5f;
        float[] x = uniform(n * c, 2), w = shifted(uniform(c, 0.5f), 1f), bias = uniform(c, 0.5f);
        float[] dout = uniform(n * c, 1);
        float[] out = new float[n * c], mean = new float[n], rstd = new float[n];
        LayerNorm.forward(out, mean, rstd, x, w, bias, n, c, eps);
        assertClose(Reference.layerNorm(d(x), d(w), d(bias), n, c, eps), out);
        float[] dx = new float[n * c], dw = new float[c], db = new float[c];
        LayerNorm.backward(dx, dw, db, dout, x, w, mean, rstd, n, c);
        double[] xx = d(x), ww = d(w), bb = d(bias);
        check("dx", dx, xx, v -> dot(dout, Reference.layerNorm(v, ww, bb, n, c, eps)));
        check("dweight", dw, ww, v -> dot(dout, Reference.layerNorm(xx, v, bb, n, c, eps)));
        check("dbias", db, bb, v -> dot(dout, Reference.layerNorm(xx, ww, v, n, c, eps)));
    }

    /** Sizes that are and are not multiples of the kernel's 4-way unrolling, with and without bias. */
    @ParameterizedTest
    @CsvSource({"5, 6, 7, true", "8, 8, 12, true", "3, 5, 2, false"})
    void linear(int n, int ic, int oc, boolean withBias) {
        float[] x = uniform(n * ic, 1), w = uniform(ic * oc, 1), bias = withBias ? uniform(oc, 1) : null;
        float[] dout = uniform(n * oc, 1);
        float[] out = new float[n * oc];
        Linear.forward(out, x, rows(w, ic, oc), bias, n, ic, oc);
        double[] xx = d(x), ww = d(w), bb = withBias ? d(bias) : null;
        assertClose(Reference.linear(xx, ww, bb, n, ic, oc), out);
        float[] dx = uniform(n * ic, 1); // the backward accumulates: start from a non-zero gradient
        float[] dx0 = dx.clone();
        float[][] dw = new float[ic][oc];
        float[] db = withBias ? new float[oc] : null;
        Linear.backward(dx, dw, db, dout, x, Linear.transpose(rows(w, ic, oc)), n, ic, oc);
        for (int i = 0; i < dx.length; i++) {
            dx[i] -= dx0[i];
        }
        check("dx", dx, xx, v -> dot(dout, Reference.linear(v, ww, bb, n, ic, oc)));
        check("dweight", flat(dw), ww, v -> dot(dout, Reference.linear(xx, v, bb, n, ic, oc)));
        if (withBias) {
            check("dbias", db, bb, v -> dot(dout, Reference.linear(xx, ww, v, n, ic, oc)));
        }
    }

    @Test
    void attention() {
        int b = 2, t = 4, c = 6, nh = 2;
        float[] qkv = uniform(b * t * 3 * c, 1.5f), dout = uniform(b * t * c, 1);
        float[] out = new float[b * t * c], att = new float[b * nh * t * t];
        Attention.forward(out, att, qkv, b, t, c, nh);
        double[] x = d(qkv);
        assertClose(Reference.attention(x, b, t, c, nh), out);
        float[] dqkv = new float[qkv.length];
        Attention.backward(dqkv, dout, qkv, att, b, t, c, nh);
        check("dqkv", dqkv, x, v -> dot(dout, Reference.attention(v, b, t, c, nh)));
    }

    @Test
    void gelu() {
        int n = 40;
        float[] x = uniform(n, 4), dout = uniform(n, 1);
        float[] out = new float[n], th = new float[n];
        GeluTanh.forward(out, th, x, n);
        assertClose(Reference.gelu(d(x)), out);
        float[] dx = new float[n];
        GeluTanh.backward(dx, x, th, dout, n);
        check("dx", dx, d(x), v -> dot(dout, Reference.gelu(v)));
    }

    @Test
    void tanhApproximationIsWithinFourTenMillionthsOfMathTanh() {
        double worst = 0;
        for (double u = -12; u <= 12; u += 1e-4) {
            worst = Math.max(worst, Math.abs(GeluTanh.tanh((float) u) - Math.tanh((float) u)));
        }
        assertTrue(worst < 4e-7, "max |tanh error| " + worst);
        assertEquals(0f, GeluTanh.tanh(0f));
        assertEquals(1f, GeluTanh.tanh(50f));
        assertEquals(-1f, GeluTanh.tanh(-50f));
    }

    @Test
    void residual() {
        int n = 9;
        float[] a = uniform(n, 1), b = uniform(n, 1), dout = uniform(n, 1);
        float[] out = new float[n];
        Residual.forward(out, a, b, n);
        assertClose(Reference.add(d(a), d(b)), out);
        float[] da = new float[n], db = new float[n];
        Residual.backward(da, db, dout, n);
        double[] aa = d(a), bb = d(b);
        check("da", da, aa, v -> dot(dout, Reference.add(v, bb)));
        check("db", db, bb, v -> dot(dout, Reference.add(aa, v)));
    }

    @Test
    void lmHead() {
        int n = 4, c = 5, v = 3;
        float[] x = uniform(n * c, 1), w = uniform(v * c, 1), dout = uniform(n * v, 1);
        float[] logits = new float[n * v];
        LmHead.forward(logits, x, rows(w, v, c), n, c, v);
        double[] xx = d(x), ww = d(w);
        assertClose(Reference.lmHead(xx, ww, n, c, v), logits);
        float[] dx = new float[n * c];
        float[][] dw = new float[v][c];
        LmHead.backward(dx, dw, dout, x, rows(w, v, c), n, c, v);
        check("dx", dx, xx, u -> dot(dout, Reference.lmHead(u, ww, n, c, v)));
        check("dweight", flat(dw), ww, u -> dot(dout, Reference.lmHead(xx, u, n, c, v)));
    }

    @Test
    void crossEntropyIgnoresMinusOne() {
        int n = 5, v = 3;
        int[] targets = {-1, 2, 0, -1, 1};
        float[] logits = uniform(n * v, 3);
        float[] probs = new float[n * v], losses = new float[n];
        int counted = CrossEntropy.counted(targets, n);
        assertEquals(3, counted);
        double sum = CrossEntropy.forward(probs, losses, logits, targets, n, v);
        assertEquals(Reference.crossEntropy(d(logits), targets, n, v), sum / counted, 1e-6);
        assertEquals(0f, losses[0]);
        assertEquals(0f, losses[3]);
        float[] dlogits = new float[n * v];
        CrossEntropy.backward(dlogits, probs, targets, 1f / counted, n, v);
        check("dlogits", dlogits, d(logits), x -> Reference.crossEntropy(x, targets, n, v));
        for (int j = 0; j < v; j++) {
            assertEquals(0f, dlogits[j], "an ignored position gets no gradient");
        }
    }

    /** The whole model: every parameter of a tiny GPT, against the float64 reference loss. */
    @Test
    void wholeModel() {
        GptConfig cfg = new GptConfig(2, 2, 8, 3, 6, 1e-5f, dev.jgpt.api.Gelu.TANH, false);
        int b = 2, t = 5;
        int[] ids = {0, 2, 1, 1, 2, 2, 2, 0, 1, 0};
        int[] targets = {-1, -1, 1, 2, 0, -1, 0, 1, 1, 2};
        ParameterTensors p = new ParameterTensors(cfg);
        for (int i = 0; i < p.count(); i++) {
            for (float[] row : p.tensor(i)) {
                for (int j = 0; j < row.length; j++) {
                    row[j] = (p.name(i).contains("ln_") && p.name(i).endsWith("weight") ? 1f : 0f)
                            + (float) (rnd.nextDouble(-0.5, 0.5));
                }
            }
        }
        TrainableGpt model = new TrainableGpt(cfg);
        Activations acts = new Activations(cfg, b, t);
        Activations actGrads = new Activations(cfg, b, t);
        ParameterTensors grads = new ParameterTensors(cfg);
        int counted = CrossEntropy.counted(targets, b * t);
        double loss = model.forward(p, acts, ids, targets, b, t) / counted;
        model.backward(p, new TransposedWeights(p), acts, actGrads, grads, ids, targets, b, t, 1f / counted);

        Map<String, double[]> ref = new HashMap<>();
        for (int i = 0; i < p.count(); i++) {
            ref.put(p.name(i), d(p.flat(i)));
        }
        assertEquals(Reference.loss(cfg, ref, ids, targets, b, t), loss, 1e-5, "loss");
        for (int i = 0; i < p.count(); i++) {
            String name = p.name(i);
            double[] original = ref.get(name);
            check(name, grads.flat(i), original, x -> {
                ref.put(name, x);
                double l = Reference.loss(cfg, ref, ids, targets, b, t);
                ref.put(name, original);
                return l;
            });
        }
    }

    // -----------------------------------------------------------------------------------------------------------------

    /** Central differences of f at x, element by element. */
    static double[] numeric(double[] x, ToDoubleFunction<double[]> f) {
        double[] g = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double[] plus = x.clone();
            double[] minus = x.clone();
            plus[i] += H;
            minus[i] -= H;
            g[i] = (f.applyAsDouble(plus) - f.applyAsDouble(minus)) / (2 * H);
        }
        return g;
    }

    static void check(String what, float[] analytic, double[] x, ToDoubleFunction<double[]> f) {
        double[] num = numeric(x, f);
        double scale = 0;
        for (double v : num) {
            scale = Math.max(scale, Math.abs(v));
        }
        assertTrue(scale > 1e-4, what + ": the gradient is ~0, the check would prove nothing");
        double tol = 1e-3 * scale + 1e-6;
        assertEquals(num.length, analytic.length, what + " length");
        for (int i = 0; i < num.length; i++) {
            double err = Math.abs(analytic[i] - num[i]);
            if (err > tol) {
                throw new AssertionError(what + "[" + i + "]: backward " + analytic[i] + ", finite difference "
                        + num[i] + " (|diff| " + err + " > " + tol + ")");
            }
        }
    }

    static void assertClose(double[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-5 * Math.max(1, Math.abs(expected[i])), "forward [" + i + "]");
        }
    }

    static double dot(float[] g, double[] y) {
        double s = 0;
        for (int i = 0; i < g.length; i++) {
            s += g[i] * y[i];
        }
        return s;
    }

    float[] uniform(int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) rnd.nextDouble(-scale, scale);
        }
        return a;
    }

    static float[] shifted(float[] a, float by) {
        for (int i = 0; i < a.length; i++) {
            a[i] += by;
        }
        return a;
    }

    static double[] d(float[] f) {
        double[] out = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = f[i];
        }
        return out;
    }

    static float[][] rows(float[] flat, int rows, int cols) {
        float[][] out = new float[rows][cols];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(flat, r * cols, out[r], 0, cols);
        }
        return out;
    }

    static float[] flat(float[][] m) {
        float[] out = new float[m.length * m[0].length];
        for (int r = 0; r < m.length; r++) {
            System.arraycopy(m[r], 0, out, r * m[0].length, m[0].length);
        }
        return out;
    }
}
