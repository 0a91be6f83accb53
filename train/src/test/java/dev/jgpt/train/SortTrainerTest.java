package dev.jgpt.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.model.InvalidInputException;
import dev.jgpt.model.io.LlmVizJson;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;

/** The training loop: it learns, and the same seed gives the same bits whatever the thread count. */
class SortTrainerTest {
    static final int ITERS = 50;

    @Test
    void fiftyStepsLowerTheLossFromLn3() {
        List<Double> losses = new ArrayList<>();
        SortTrainer.train(7, ITERS, 64, (iter, iters, loss, nanos) -> losses.add(loss));
        assertEquals(ITERS, losses.size());
        // an untrained model is uniform over 3 tokens: loss ln 3
        assertEquals(Math.log(3), losses.get(0), 0.05, "first loss " + losses.get(0));
        double last = losses.subList(ITERS - 5, ITERS).stream().mapToDouble(Double::doubleValue).average()
                .orElseThrow();
        assertTrue(last < 0.75, "mean loss of the last 5 of " + ITERS + " steps: " + last + " (all: " + losses + ")");
    }

    @Test
    void sameSeedGivesBitIdenticalWeightsOnOneThreadOrMany() throws Exception {
        Map<String, LlmVizJson.Entry> a = SortTrainer.train(3, 20, 64, TrainProgress.NONE);
        Map<String, LlmVizJson.Entry> b = SortTrainer.train(3, 20, 64, TrainProgress.NONE);
        ForkJoinPool one = new ForkJoinPool(1); // parallel streams started inside run on this pool
        Map<String, LlmVizJson.Entry> c;
        try {
            c = one.submit(() -> SortTrainer.train(3, 20, 64, TrainProgress.NONE)).get();
        } finally {
            one.shutdown();
        }
        assertEquals(a.keySet(), b.keySet());
        for (String name : a.keySet()) {
            assertArrayEquals(a.get(name).shape(), b.get(name).shape(), name);
            // Arrays.equals on float[] compares bit patterns (floatToIntBits), the strictest equality
            assertTrue(Arrays.equals(a.get(name).data(), b.get(name).data()), name + " differs between two runs");
            assertTrue(Arrays.equals(a.get(name).data(), c.get(name).data()), name + " differs on one thread");
        }
        Map<String, LlmVizJson.Entry> other = SortTrainer.train(4, 20, 64, TrainProgress.NONE);
        assertFalse(Arrays.equals(a.get("wte.weight").data(), other.get("wte.weight").data()), "another seed differs");
    }

    @Test
    void weightsHaveEveryHuggingFaceNameWithoutPrefix() {
        Map<String, LlmVizJson.Entry> w = SortTrainer.train(1, 1, 8, TrainProgress.NONE);
        assertEquals(2 + 3 * 12 + 3, w.size());
        assertArrayEquals(new int[] {3, 48}, w.get("lm_head.weight").shape());
        assertArrayEquals(new int[] {48, 144}, w.get("h.2.attn.c_attn.weight").shape());
        assertArrayEquals(new int[] {192, 48}, w.get("h.0.mlp.c_proj.weight").shape());
        assertArrayEquals(new int[] {11, 48}, w.get("wpe.weight").shape());
    }

    @Test
    void batchNotAMultipleOfTheShardWorks() {
        SortTrainer t = new SortTrainer(5, 13);
        double loss = t.step();
        assertTrue(Double.isFinite(loss) && loss > 0.5 && loss < 2, "loss " + loss);
    }

    @Test
    void badArgumentsAreInvalidInput() {
        assertThrows(InvalidInputException.class, () -> SortTrainer.train(1, 0, 64, TrainProgress.NONE));
        assertThrows(InvalidInputException.class, () -> SortTrainer.train(1, 10, 0, TrainProgress.NONE));
    }

    @Test
    void decayOnlyLinearWeightsAsMinGpt() {
        ParameterTensors p = new ParameterTensors(SortTrainer.config());
        List<String> decayed = new ArrayList<>();
        for (int i = 0; i < p.count(); i++) {
            if (p.decays(i)) {
                decayed.add(p.name(i));
            }
        }
        assertEquals(3 * 4 + 1, decayed.size(), decayed.toString());
        assertTrue(decayed.contains("lm_head.weight"));
        assertTrue(decayed.contains("h.1.mlp.c_fc.weight"));
        assertFalse(decayed.contains("wte.weight"));
        assertFalse(decayed.contains("wpe.weight"));
        assertFalse(decayed.contains("h.0.ln_1.weight"));
        assertFalse(decayed.contains("ln_f.weight"));
    }

    @Test
    void adamWFirstStepMovesEachWeightByLrAgainstItsGradient() {
        ParameterTensors p = new ParameterTensors(SortTrainer.config());
        ParameterTensors g = new ParameterTensors(SortTrainer.config());
        int lmHead = p.count() - 1;
        int wte = 0;
        p.tensor(lmHead)[0][0] = 1f;
        g.tensor(lmHead)[0][0] = 0.3f;
        p.tensor(wte)[0][0] = 1f;
        g.tensor(wte)[0][0] = -2f;
        new AdamW(p, 5e-4f, 0.9f, 0.95f, 1e-8f, 0.1f).step(p, g);
        // step 1: m̂ = g, v̂ = g², so the update is lr·g/|g|; lm_head decays by lr·wd first, wte does not
        assertEquals(1f * (1 - 5e-4f * 0.1f) - 5e-4f, p.tensor(lmHead)[0][0], 1e-7);
        assertEquals(1f + 5e-4f, p.tensor(wte)[0][0], 1e-7);
        assertEquals(0f, p.tensor(wte)[0][1], "zero gradient, no decay: unchanged");
    }

    @Test
    void clippingScalesTheGlobalNormToOne() {
        ParameterTensors g = new ParameterTensors(SortTrainer.config());
        g.tensor(0)[0][0] = 3f;
        g.tensor(5)[0][1] = 4f;
        assertEquals(5.0, SortTrainer.clipGradNorm(g, 1f), 1e-9);
        assertEquals(0.6f, g.tensor(0)[0][0], 1e-6);
        assertEquals(0.8f, g.tensor(5)[0][1], 1e-6);
        assertEquals(1.0, SortTrainer.clipGradNorm(g, 1f), 1e-5, "now within the limit: left as is");
    }
}
