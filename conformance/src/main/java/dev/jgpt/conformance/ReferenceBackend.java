package dev.jgpt.conformance;

import dev.jgpt.api.Gelu;
import dev.jgpt.backend.array.ScalarMath;
import dev.jgpt.api.Shapes;
import dev.jgpt.api.Tensor;
import dev.jgpt.backend.array.ArrayBackend;
import dev.jgpt.backend.array.ArrayTensor;

/**
 * The kit's reference: {@code float[]} tensors, row-major, and the shortest loops that say what each operation
 * means, on one thread, sums in float32 in increasing index order. Attention is the SPI's default,
 * {@link dev.jgpt.api.DecomposedAttention}, the same kind of loops. Sequence-level checks compare other backends'
 * tokens with this one's. It is not registered as a provider; construct it directly.
 */
public final class ReferenceBackend extends ArrayBackend {

    @Override
    public boolean batchInvariant() {
        return true;
    }

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
        Shapes.requireMatmul("matmul", x, w);
        int m = w.dim(0);
        int k = w.dim(1);
        int rows = Shapes.rows(x.shape());
        float[] a = data(x);
        float[] b = data(w);
        float[] out = new float[rows * m];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < m; j++) {
                float sum = 0f; // out[r, j] = Σ_i x[r, i] · w[j, i]
                for (int i = 0; i < k; i++) {
                    sum += a[r * k + i] * b[j * k + i];
                }
                out[r * m + j] = sum;
            }
        }
        return new ArrayTensor(out, Shapes.withLast(x.shape(), m));
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
}
