package dev.jgpt.backend.plain;

import dev.jgpt.api.Gelu;
import dev.jgpt.api.ScalarMath;
import dev.jgpt.api.Shapes;
import dev.jgpt.api.Tensor;
import dev.jgpt.api.array.ArrayBackend;
import dev.jgpt.api.array.ArrayTensor;

/**
 * The reference kernels: {@code float[]} tensors, row-major, and the shortest loops that say what each operation
 * means, on one thread. Sums accumulate in float, like the other backends; clarity comes before speed here.
 *
 * <p>This is the oracle of {@link PlainBackend}: its fast kernels (blocked, parallel, packed for the vectoriser)
 * keep these loops' summation order for every output element, and its tests require the same bits from both. It is
 * not registered as a provider; construct it directly (tests, benchmarks, reading). The operations that only move
 * data are {@link ArrayBackend}'s, shared with the plain and vector backends.
 */
public final class ReferenceBackend extends ArrayBackend {
    @Override
    public String name() {
        return "plain-reference";
    }

    // ---------------------------------------------------------------------------------------------------- arithmetic

    @Override
    public Tensor add(Tensor a, Tensor b) {
        Shapes.requireSuffix("add", a.shape(), b.shape());
        float[] x = data(a);
        float[] y = data(b);
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] + y[i % y.length];
        }
        return new ArrayTensor(out, a.shape());
    }

    @Override
    public Tensor matmul(Tensor x, Tensor w) {
        int k = w.dim(0);
        int n = w.dim(1);
        Shapes.requireMatmul("matmul", x, w, false);
        int rows = Shapes.rows(x.shape());
        float[] a = data(x);
        float[] b = data(w);
        float[] out = new float[rows * n];
        for (int r = 0; r < rows; r++) {
            // out[r, :] = Σ_i a[r, i] · b[i, :]  (row by row, so the inner loop runs along contiguous memory)
            for (int i = 0; i < k; i++) {
                float ai = a[r * k + i];
                for (int j = 0; j < n; j++) {
                    out[r * n + j] += ai * b[i * n + j];
                }
            }
        }
        return new ArrayTensor(out, Shapes.withLast(x.shape(), n));
    }

    @Override
    public Tensor matmulTransposed(Tensor x, Tensor w) {
        int n = w.dim(0);
        int k = w.dim(1);
        Shapes.requireMatmul("matmulTransposed", x, w, true);
        int rows = Shapes.rows(x.shape());
        float[] a = data(x);
        float[] b = data(w);
        float[] out = new float[rows * n];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < n; j++) {
                float sum = 0f;
                for (int i = 0; i < k; i++) {
                    sum += a[r * k + i] * b[j * k + i];
                }
                out[r * n + j] = sum;
            }
        }
        return new ArrayTensor(out, Shapes.withLast(x.shape(), n));
    }

    @Override
    public Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
        int c = Shapes.requireLayerNorm(x, gamma, beta);
        float[] in = data(x);
        float[] g = data(gamma);
        float[] bt = beta == null ? null : data(beta);
        float[] out = new float[in.length];
        for (int row = 0; row < in.length / c; row++) {
            int o = row * c;
            float mean = 0f;
            for (int i = 0; i < c; i++) {
                mean += in[o + i];
            }
            mean /= c;
            float variance = 0f;
            for (int i = 0; i < c; i++) {
                float d = in[o + i] - mean;
                variance += d * d;
            }
            variance /= c;
            float inv = (float) (1.0 / Math.sqrt(variance + eps));
            for (int i = 0; i < c; i++) {
                out[o + i] = (in[o + i] - mean) * inv * g[i] + (bt == null ? 0f : bt[i]);
            }
        }
        return new ArrayTensor(out, x.shape());
    }

    @Override
    public Tensor gelu(Tensor x, Gelu form) {
        float[] in = data(x);
        float[] out = new float[in.length];
        for (int i = 0; i < in.length; i++) {
            out[i] = ScalarMath.gelu(in[i], form);
        }
        return new ArrayTensor(out, x.shape());
    }

    @Override
    public Tensor softmax(Tensor x) {
        int c = x.dim(-1);
        float[] in = data(x);
        float[] out = new float[in.length];
        for (int o = 0; o < in.length; o += c) {
            float max = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < c; i++) {
                max = Math.max(max, in[o + i]);
            }
            float sum = 0f;
            for (int i = 0; i < c; i++) {
                out[o + i] = (float) Math.exp(in[o + i] - max); // exp(-inf) = 0: masked entries vanish
                sum += out[o + i];
            }
            for (int i = 0; i < c; i++) {
                out[o + i] /= sum;
            }
        }
        return new ArrayTensor(out, x.shape());
    }

    @Override
    public Tensor attentionScores(Tensor q, Tensor k, float scale, int offset) {
        requireAttention("attentionScores", q, k, offset);
        int bh = q.dim(0) * q.dim(1);
        int tq = q.dim(2);
        int a = q.dim(3);
        int tk = k.dim(2);
        float[] qd = data(q);
        float[] kd = data(k);
        float[] out = new float[bh * tq * tk];
        for (int h = 0; h < bh; h++) {
            for (int i = 0; i < tq; i++) {
                for (int j = 0; j < tk; j++) {
                    float s = Float.NEGATIVE_INFINITY; // the causal mask: key j is in query i's future
                    if (j <= offset + i) {
                        s = 0f;
                        for (int d = 0; d < a; d++) {
                            s += qd[(h * tq + i) * a + d] * kd[(h * tk + j) * a + d];
                        }
                        s *= scale;
                    }
                    out[(h * tq + i) * tk + j] = s;
                }
            }
        }
        return new ArrayTensor(out, q.dim(0), q.dim(1), tq, tk);
    }

    @Override
    public Tensor attentionMix(Tensor p, Tensor v) {
        requireMix(p, v);
        int bh = p.dim(0) * p.dim(1);
        int tq = p.dim(2);
        int tk = p.dim(3);
        int a = v.dim(3);
        float[] pd = data(p);
        float[] vd = data(v);
        float[] out = new float[bh * tq * a];
        for (int h = 0; h < bh; h++) {
            for (int i = 0; i < tq; i++) {
                for (int j = 0; j < tk; j++) {
                    float w = pd[(h * tq + i) * tk + j];
                    for (int d = 0; d < a; d++) {
                        out[(h * tq + i) * a + d] += w * vd[(h * tk + j) * a + d];
                    }
                }
            }
        }
        return new ArrayTensor(out, p.dim(0), p.dim(1), tq, a);
    }
}
