package dev.jgpt.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Temperature, top-k and top-p on logits whose probabilities are computed by hand. */
class SamplingTest {
    // logits ln(0.5), ln(0.3), ln(0.15), ln(0.05): probabilities 0.5, 0.3, 0.15, 0.05 exactly (up to float rounding)
    static final float[] LOGITS = {(float) Math.log(0.5), (float) Math.log(0.3), (float) Math.log(0.15),
        (float) Math.log(0.05)};

    @Test
    void probabilitiesFollowTheTemperature() {
        assertArrayEquals(new double[] {0.5, 0.3, 0.15, 0.05}, Sampling.random(1, 0, 1, 0).probabilities(LOGITS),
                1e-6);
        // T = 0.5 squares and renormalises: 0.25, 0.09, 0.0225, 0.0025 over 0.365
        assertArrayEquals(new double[] {0.25 / 0.365, 0.09 / 0.365, 0.0225 / 0.365, 0.0025 / 0.365},
                Sampling.random(0.5, 0, 1, 0).probabilities(LOGITS), 1e-6);
    }

    @Test
    void drawWalksTheCumulativeDistributionOfTheKeptTokens() {
        Sampling all = Sampling.random(1, 0, 1, 0);
        assertEquals(0, all.draw(LOGITS, 0.0));
        assertEquals(0, all.draw(LOGITS, 0.49));
        assertEquals(1, all.draw(LOGITS, 0.51));
        assertEquals(2, all.draw(LOGITS, 0.81));
        assertEquals(3, all.draw(LOGITS, 0.96));
        // top-k 2 keeps 0.5 and 0.3, renormalised to 0.625 / 0.375
        Sampling k2 = Sampling.random(1, 2, 1, 0);
        assertEquals(0, k2.draw(LOGITS, 0.62));
        assertEquals(1, k2.draw(LOGITS, 0.63));
        assertEquals(1, k2.draw(LOGITS, 0.999));
        // top-p 0.75 keeps 0.5 + 0.3 (the smallest set reaching 0.75)
        Sampling p75 = Sampling.random(1, 0, 0.75, 0);
        assertEquals(1, p75.draw(LOGITS, 0.999));
        // top-p 0.5 keeps only the first
        assertEquals(0, Sampling.random(1, 0, 0.5, 0).draw(LOGITS, 0.999));
    }

    @Test
    void aSeededSamplerRepeatsItselfAndSeedsDiffer() {
        int[] a = drawMany(7);
        assertArrayEquals(a, drawMany(7));
        assertNotEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(drawMany(8)));
        int[] counts = new int[4];
        for (int t : a) {
            counts[t]++;
        }
        // 2000 draws: token 0 should come up about 1000 times (sd ≈ 22); 5 sd bounds
        assertTrue(Math.abs(counts[0] - 1000) < 112, java.util.Arrays.toString(counts));
    }

    static int[] drawMany(long seed) {
        Sampler s = Sampling.random(1, 0, 1, seed).newSampler();
        int[] out = new int[2000];
        for (int i = 0; i < out.length; i++) {
            out[i] = s.next(LOGITS);
        }
        return out;
    }

    @Test
    void badSettingsAreRefused() {
        assertThrows(InvalidInputException.class, () -> Sampling.random(0, 0, 1, 0));
        assertThrows(InvalidInputException.class, () -> Sampling.random(-1, 0, 1, 0));
        assertThrows(InvalidInputException.class, () -> Sampling.random(Double.NaN, 0, 1, 0));
        assertThrows(InvalidInputException.class, () -> Sampling.random(1, -1, 1, 0));
        assertThrows(InvalidInputException.class, () -> Sampling.random(1, 0, 0, 0));
        assertThrows(InvalidInputException.class, () -> Sampling.random(1, 0, 1.5, 0));
    }
}
