package dev.jgpt.bench.e2e;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** When the sort's warm-up counts as steady: the last three rates within 10% of each other. */
class BackendBenchTest {
    @Test
    void steadyOnceTheLastThreeRatesAgreeWithinTenPercent() {
        double[] ramp = {600, 6_700, 15_500, 18_000, 18_900, 21_000, 20_500, 20_800, 0, 0};
        assertFalse(BackendBench.steady(ramp, 2, 3), "fewer than three rates");
        assertFalse(BackendBench.steady(ramp, 5, 3), "15,500 … 18,900 spread by 22%");
        assertFalse(BackendBench.steady(ramp, 6, 3), "18,000, 18,900, 21,000: max/min 1.167");
        assertFalse(BackendBench.steady(ramp, 7, 3), "18,900, 21,000, 20,500: max/min 1.111");
        assertTrue(BackendBench.steady(ramp, 8, 3), "21,000, 20,500, 20,800: max/min 1.024");
        assertFalse(BackendBench.steady(new double[] {10_000, 10_000, 11_100}, 3, 3), "max/min 1.11");
        assertTrue(BackendBench.steady(new double[] {10_000, 10_000, 11_000}, 3, 3), "max/min exactly 1.10");
    }
}
