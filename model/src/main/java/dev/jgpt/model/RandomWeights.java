package dev.jgpt.model;

import dev.jgpt.model.io.LlmVizJson;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A randomly initialised GPT-2 in the Hugging Face layout, as GPT-2 initialises: weights normal(0, 0.02), residual
 * projections normal(0, 0.02/√(2·n_layer)), biases zero, layer-norm weights one. Deterministic for a seed.
 */
public final class RandomWeights {
    private RandomWeights() {
    }

    /**
     * @param biases    include bias tensors (zero unless {@code biasScale} > 0)
     * @param biasScale standard deviation of random biases and of the layer-norm deviations from (1, 0); 0 gives
     *                  GPT-2's init, a positive value makes tests sensitive to every tensor
     * @return tensor name (no prefix) → shape and data; {@code lm_head.weight} only when the config is untied
     */
    public static Map<String, LlmVizJson.Entry> generate(GptConfig c, long seed, boolean biases, float biasScale) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<String, LlmVizJson.Entry> t = new LinkedHashMap<>();
        int e = c.nEmbd;
        float std = 0.02f;
        float residStd = (float) (0.02 / Math.sqrt(2.0 * c.nLayer));
        t.put("wte.weight", normal(rnd, std, c.vocabSize, e));
        t.put("wpe.weight", normal(rnd, std, c.nPositions, e));
        for (int i = 0; i < c.nLayer; i++) {
            String h = "h." + i + ".";
            norm(t, rnd, h + "ln_1", e, biases, biasScale);
            linear(t, rnd, h + "attn.c_attn", e, 3 * e, std, biases, biasScale);
            linear(t, rnd, h + "attn.c_proj", e, e, residStd, biases, biasScale);
            norm(t, rnd, h + "ln_2", e, biases, biasScale);
            linear(t, rnd, h + "mlp.c_fc", e, 4 * e, std, biases, biasScale);
            linear(t, rnd, h + "mlp.c_proj", 4 * e, e, residStd, biases, biasScale);
        }
        norm(t, rnd, "ln_f", e, biases, biasScale);
        if (!c.tieWordEmbeddings) {
            t.put("lm_head.weight", normal(rnd, std, c.vocabSize, e));
        }
        return t;
    }

    private static void linear(Map<String, LlmVizJson.Entry> t, SplittableRandom rnd, String name, int in, int out,
            float std, boolean biases, float biasScale) {
        t.put(name + ".weight", normal(rnd, std, in, out));
        if (biases) {
            t.put(name + ".bias", normal(rnd, biasScale, out));
        }
    }

    private static void norm(Map<String, LlmVizJson.Entry> t, SplittableRandom rnd, String name, int e,
            boolean biases, float biasScale) {
        LlmVizJson.Entry w = normal(rnd, biasScale, e);
        for (int i = 0; i < e; i++) {
            w.data()[i] += 1f;
        }
        t.put(name + ".weight", w);
        if (biases) {
            t.put(name + ".bias", normal(rnd, biasScale, e));
        }
    }

    private static LlmVizJson.Entry normal(SplittableRandom rnd, float std, int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        float[] data = new float[n];
        if (std > 0) {
            for (int i = 0; i < n; i++) {
                data[i] = (float) (gaussian(rnd) * std);
            }
        }
        return new LlmVizJson.Entry(shape, data);
    }

    /** Standard normal by Box–Muller (SplittableRandom has no nextGaussian on Java 17). */
    private static double gaussian(SplittableRandom rnd) {
        double u1 = 1.0 - rnd.nextDouble();
        double u2 = rnd.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
}
