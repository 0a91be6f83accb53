package dev.jgpt.train;

/**
 * GELU in GPT-2's tanh form: {@code gelu(x) = ½·x·(1 + tanh(u))}, {@code u = √(2/π)·(x + 0.044715·x³)}, and its
 * derivative {@code ½·(1 + tanh u) + ½·x·(1 − tanh² u)·√(2/π)·(1 + 3·0.044715·x²)}. The forward keeps tanh(u) so
 * the backward need not compute it again.
 */
final class GeluTanh {
    private static final float S = (float) Math.sqrt(2.0 / Math.PI);

    private GeluTanh() {
    }

    /** out, th (tanh u, written for the backward), inp: [N]. */
    static void forward(float[] out, float[] th, float[] inp, int n) {
        for (int i = 0; i < n; i++) {
            float x = inp[i];
            float t = tanh(S * (x + 0.044715f * x * x * x));
            th[i] = t;
            out[i] = 0.5f * x * (1f + t);
        }
    }

    /** Accumulates dinp [N] from dout [N], given the forward's input inp and th = tanh(u). */
    static void backward(float[] dinp, float[] inp, float[] th, float[] dout, int n) {
        for (int i = 0; i < n; i++) {
            float x = inp[i];
            float t = th[i];
            float grad = 0.5f * (1f + t) + 0.5f * x * (1f - t * t) * S * (1f + 3f * 0.044715f * x * x);
            dinp[i] += grad * dout[i];
        }
    }

    /**
     * tanh in float32 as a rational function (Eigen's {@code generic_fast_tanh_float}: odd degree-13 over even
     * degree-6 polynomial, clamped at ±7.9053 where tanh rounds to ±1). Within 4e-7 of {@link Math#tanh} everywhere
     * (a few float ulps; checked by the tests), and about 40× faster than going through {@link Math#exp} on Java 17
     * because the loop around it vectorises. GELU is a third of the training time otherwise.
     */
    static float tanh(float u) {
        float x = Math.max(-7.90531110763549805f, Math.min(7.90531110763549805f, u));
        float x2 = x * x;
        float p = -2.76076847742355e-16f;
        p = p * x2 + 2.00018790482477e-13f;
        p = p * x2 - 8.60467152213735e-11f;
        p = p * x2 + 5.12229709037114e-08f;
        p = p * x2 + 1.48572235717979e-05f;
        p = p * x2 + 6.37261928875436e-04f;
        p = p * x2 + 4.89352455891786e-03f;
        float q = 1.19825839466702e-06f;
        q = q * x2 + 1.18534705686654e-04f;
        q = q * x2 + 2.26843463243900e-03f;
        q = q * x2 + 4.89352518554385e-03f;
        return x * p / q;
    }
}
