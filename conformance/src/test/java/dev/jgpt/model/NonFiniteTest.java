package dev.jgpt.model;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.api.Gelu;
import dev.jgpt.api.TensorBackend;
import dev.jgpt.model.io.LlmVizJson;
import dev.jgpt.model.io.ModelWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** NaN or infinity: refused in weights (naming the tensor), diagnosed in logits (naming where it first appeared). */
class NonFiniteTest {
    static final GptConfig C = new GptConfig(3, 2, 8, 7, 9, 1e-5f, Gelu.TANH, true);

    @TempDir
    Path tmp;
    final TensorBackend backend = TestSupport.plain();

    @Test
    void aNaNWeightIsRefusedByName() throws Exception {
        Map<String, LlmVizJson.Entry> w = RandomWeights.generate(C, 1, true, 0.1f);
        w.get("h.1.attn.c_attn.bias").data()[5] = Float.NaN;
        ModelWriter.write(tmp, C, w, "F32", "");
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> Gpt.load(tmp, backend));
        assertTrue(e.getMessage().contains("h.1.attn.c_attn.bias") && e.getMessage().contains("NaN"), e.getMessage());
    }

    @Test
    void overflowingLogitsNameTheFirstLayerThatWentNonFinite() throws Exception {
        Map<String, LlmVizJson.Entry> w = RandomWeights.generate(C, 2, true, 0.1f);
        float[] fc = w.get("h.2.mlp.c_fc.weight").data(); // finite weights that overflow in layer 2's MLP
        java.util.Arrays.fill(fc, 3e38f);
        ModelWriter.write(tmp, C, w, "F32", "");
        try (Gpt gpt = Gpt.load(tmp, backend)) {
            NonFiniteException e = assertThrows(NonFiniteException.class,
                    () -> gpt.generator().generate(new int[] {1, 2, 3}, 2));
            assertTrue(e.getMessage().contains("h2.fc"), e.getMessage());
        }
    }
}
