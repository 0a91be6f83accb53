package dev.jgpt.backend.plain;

import dev.jgpt.api.Gelu;
import dev.jgpt.api.ScalarMath;
import dev.jgpt.api.Shapes;
import dev.jgpt.api.Tensor;
import dev.jgpt.api.TensorBackend;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * The reference kernels: {@code float[]} tensors, row-major, and the shortest loops that say what each operation
 * means, on one thread. Sums accumulate in float, like the other backends; clarity comes before speed here.
 *
 * <p>This is the oracle of {@link PlainBackend}: its fast kernels (blocked, parallel, packed for the vectoriser)
 * keep these loops' summation order for every output element, and its tests require the same bits from both. It is
 * not registered as a provider; construct it directly (tests, benchmarks, reading).
 */
public final class ReferenceBackend implements TensorBackend {
    @Override
    public String name() {
        return "plain-reference";
    }

    // ----------------------------------------------------------------------------------------------- data in and out

    @Override
    public Tensor fromArray(float[] data, int... shape) {
        return new PlainTensor(data.clone(), shape);
    }

    /** Adopts a heap array that holds exactly the weight (e.g. widened from F16) instead of copying it again. */
    @Override
    public Tensor weight(FloatBuffer data, int... shape) {
        if (data.hasArray() && data.arrayOffset() == 0 && data.position() == 0
                && data.array().length == Shapes.size(shape)) {
            return new PlainTensor(data.array(), shape);
        }
        float[] copy = new float[Shapes.intSize(shape)];
        data.duplicate().get(copy);
        return new PlainTensor(copy, shape);
    }

    @Override
    public float[] toArray(Tensor t) {
        return data(t).clone();
    }

    private static float[] data(Tensor t) {
        return PlainTensor.of(t).compact();
    }

    // ---------------------------------------------------------------------------------------------------- primitives

    @Override
    public Tensor gatherRows(Tensor table, int[] ids, int... prefix) {
        if (Shapes.size(prefix) != ids.length) {
            throw new IllegalArgumentException(
                    ids.length + " ids do not fill the shape " + Arrays.toString(prefix));
        }
        int n = table.dim(0);
        int c = table.dim(1);
        float[] src = data(table);
        float[] out = new float[ids.length * c];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= n) {
                throw new IndexOutOfBoundsException("row " + ids[i] + " outside [0, " + n + ")");
            }
            System.arraycopy(src, ids[i] * c, out, i * c, c);
        }
        int[] shape = Arrays.copyOf(prefix, prefix.length + 1);
        shape[prefix.length] = c;
        return new PlainTensor(out, shape);
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
        return new PlainTensor(out, a.shape());
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
        return new PlainTensor(out, Shapes.withLast(x.shape(), n));
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
        return new PlainTensor(out, Shapes.withLast(x.shape(), n));
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
        return new PlainTensor(out, x.shape());
    }

    @Override
    public Tensor gelu(Tensor x, Gelu form) {
        float[] in = data(x);
        float[] out = new float[in.length];
        for (int i = 0; i < in.length; i++) {
            out[i] = ScalarMath.gelu(in[i], form);
        }
        return new PlainTensor(out, x.shape());
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
        return new PlainTensor(out, x.shape());
    }

    @Override
    public Tensor slice(Tensor x, int axis, int from, int to) {
        int[] shape = x.shape();
        int ax = Shapes.axis(axis, shape.length);
        if (from < 0 || to > shape[ax] || from > to) {
            throw new IndexOutOfBoundsException("slice [" + from + ", " + to + ") of axis size " + shape[ax]);
        }
        int outer = Shapes.intSize(Arrays.copyOf(shape, ax));
        int inner = Shapes.intSize(Arrays.copyOfRange(shape, ax + 1, shape.length));
        int[] outShape = shape.clone();
        outShape[ax] = to - from;
        float[] in = data(x);
        float[] out = new float[Shapes.intSize(outShape)];
        int chunk = (to - from) * inner;
        for (int o = 0; o < outer; o++) {
            System.arraycopy(in, (o * shape[ax] + from) * inner, out, o * chunk, chunk);
        }
        return new PlainTensor(out, outShape);
    }

    @Override
    public Tensor concat(Tensor a, Tensor b, int axis) {
        int[] sa = a.shape();
        int[] sb = b.shape();
        int ax = Shapes.axis(axis, sa.length);
        int[] check = sb.clone();
        check[ax] = sa[ax];
        Shapes.require("concat", check, sa);
        int outer = Shapes.intSize(Arrays.copyOf(sa, ax));
        int inner = Shapes.intSize(Arrays.copyOfRange(sa, ax + 1, sa.length));
        int[] outShape = sa.clone();
        outShape[ax] = sa[ax] + sb[ax];
        float[] x = data(a);
        float[] y = data(b);
        float[] out = new float[x.length + y.length];
        int ca = sa[ax] * inner;
        int cb = sb[ax] * inner;
        for (int o = 0; o < outer; o++) {
            System.arraycopy(x, o * ca, out, o * (ca + cb), ca);
            System.arraycopy(y, o * cb, out, o * (ca + cb) + ca, cb);
        }
        return new PlainTensor(out, outShape);
    }

    @Override
    public Tensor splitHeads(Tensor x, int heads) {
        Shapes.requireSplitHeads(x, heads);
        int b = x.dim(0);
        int t = x.dim(1);
        int c = x.dim(2);
        int a = c / heads;
        float[] in = data(x);
        float[] out = new float[in.length];
        for (int bi = 0; bi < b; bi++) {
            for (int h = 0; h < heads; h++) {
                for (int ti = 0; ti < t; ti++) {
                    System.arraycopy(in, (bi * t + ti) * c + h * a, out, ((bi * heads + h) * t + ti) * a, a);
                }
            }
        }
        return new PlainTensor(out, b, heads, t, a);
    }

    @Override
    public Tensor mergeHeads(Tensor x) {
        Shapes.requireMergeHeads(x);
        int b = x.dim(0);
        int heads = x.dim(1);
        int t = x.dim(2);
        int a = x.dim(3);
        int c = heads * a;
        float[] in = data(x);
        float[] out = new float[in.length];
        for (int bi = 0; bi < b; bi++) {
            for (int h = 0; h < heads; h++) {
                for (int ti = 0; ti < t; ti++) {
                    System.arraycopy(in, ((bi * heads + h) * t + ti) * a, out, (bi * t + ti) * c + h * a, a);
                }
            }
        }
        return new PlainTensor(out, b, t, c);
    }

    @Override
    public Tensor attentionScores(Tensor q, Tensor k, float scale, int offset) {
        int bh = q.dim(0) * q.dim(1);
        int tq = q.dim(2);
        int a = q.dim(3);
        int tk = k.dim(2);
        if (k.dim(3) != a || k.dim(0) * k.dim(1) != bh || offset + tq > tk) {
            throw new IllegalArgumentException("attentionScores: q " + Arrays.toString(q.shape()) + ", k "
                    + Arrays.toString(k.shape()) + ", offset " + offset);
        }
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
        return new PlainTensor(out, q.dim(0), q.dim(1), tq, tk);
    }

    @Override
    public Tensor attentionMix(Tensor p, Tensor v) {
        int bh = p.dim(0) * p.dim(1);
        int tq = p.dim(2);
        int tk = p.dim(3);
        int a = v.dim(3);
        if (v.dim(2) != tk || v.dim(0) * v.dim(1) != bh) {
            throw new IllegalArgumentException("attentionMix: p " + Arrays.toString(p.shape()) + ", v "
                    + Arrays.toString(v.shape()));
        }
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
        return new PlainTensor(out, p.dim(0), p.dim(1), tq, a);
    }
}
