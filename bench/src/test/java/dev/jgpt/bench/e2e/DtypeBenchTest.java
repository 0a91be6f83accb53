package dev.jgpt.bench.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.api.Backends;
import dev.jgpt.api.DType;
import dev.jgpt.model.GptConfig;
import dev.jgpt.model.GptPreset;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code gpt bench --dtype}: the bytes a token reads per dtype, and a whole run on the nano model's shape. */
class DtypeBenchTest {
    @Test
    void bytesPerTokenCountEveryMatrixInItsDtypeAndTheVectorsAsF32() {
        GptConfig c = GptPreset.GPT2.config();
        // GPT-2-124M by hand: per layer 3·768² + 768² + 4·768² + 4·768² = 12·768² matrix elements, 12 layers,
        // the tied head 50257 × 768; vectors per layer 13·768 (biases 3C + C + 4C + C, two norms 4C), ln_f 2·768
        long matrices = 12L * 12 * 768 * 768 + 50257L * 768;
        long vectors = 12L * 13 * 768 + 2 * 768;
        assertEquals(matrices * 4 + vectors * 4, DtypeBench.weightBytesPerToken(c, DType.F32));
        assertEquals(BackendBench.weightBytesPerToken(c), DtypeBench.weightBytesPerToken(c, DType.F32),
                "F32 as the default bench counts it");
        assertEquals(matrices * 2 + vectors * 4, DtypeBench.weightBytesPerToken(c, DType.F16));
        assertEquals(matrices / 32 * 34 + vectors * 4, DtypeBench.weightBytesPerToken(c, DType.Q8_0));
        assertEquals(matrices / 32 * 18 + vectors * 4, DtypeBench.weightBytesPerToken(c, DType.Q4_0));
        // the nano model's rows are 48 (and 192) wide: no whole blocks of 32 in 48, so its 48-wide matrices stay F16
        GptConfig nano = GptPreset.NANO_SORT.config();
        assertEquals(DtypeBench.weightBytesPerToken(nano, DType.F16) - DtypeBench.weightBytesPerToken(nano,
                DType.Q8_0), 48L * 4 * 48 * nano.nLayer * (2 - 34.0 / 32), 1e-9,
                "only mlp.c_proj (K = 192) is block-quantized");
    }

    @Test
    void aRunOnTheNanoShapeMeasuresEveryDtypeAndItsResidentMemory() throws Exception {
        DtypeBench.Plan plan = new DtypeBench.Plan();
        plan.promptLength = 4;
        plan.newTokens = 4;
        plan.reps = 2;
        plan.probeBytes = new long[] {16L << 20, 64L << 20};
        StringWriter progress = new StringWriter();
        DtypeReport r = DtypeEndToEnd.run(GptPreset.NANO_SORT, plan, List.of(Backends.discover().require("plain")),
                List.of(DType.F32, DType.Q8_0), new PrintWriter(progress));
        assertEquals(2, r.rows().size());
        for (DtypeBench.Row row : r.rows()) {
            assertEquals(null, row.error, row.dtype + ": " + row.error);
            assertTrue(row.decode.median() > 0 && row.prefill.median() > 0, row.dtype.toString());
            assertEquals(2, row.probes.size(), "a pass of each probe buffer");
            assertEquals(plan.reps + 1, row.probes.get(1).n(), "one pass before every rep and after the last");
            assertTrue(row.memory.afterLoad() > 0 && row.memory.generating() >= row.memory.afterLoad() / 2,
                    row.memory.toString());
        }
        String table = r.table();
        assertTrue(table.contains("| plain | F32 |") && table.contains("| plain | Q8_0 |"), table);
        assertTrue(r.json().contains("\"rss_generating_bytes\""), r.json());
    }
}
