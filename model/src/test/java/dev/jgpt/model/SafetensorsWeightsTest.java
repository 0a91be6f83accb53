package dev.jgpt.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jgpt.api.DType;
import dev.jgpt.api.Gelu;
import dev.jgpt.api.Quantize;
import dev.jgpt.api.WeightData;
import dev.jgpt.model.io.LlmVizJson;
import dev.jgpt.model.io.ModelWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A folder's F16 and BF16 weights reach the backend as 16-bit values (the Conv1D ones transposed to [out, in] as
 * such), so a backend that keeps those dtypes holds 2 bytes per weight; norms and biases arrive as F32.
 */
class SafetensorsWeightsTest {
    static final GptConfig C = new GptConfig(1, 2, 8, 11, 5, 1e-5f, Gelu.TANH, true);

    @TempDir
    Path tmp;

    @Test
    void sixteenBitWeightsStaySixteenBit() throws IOException {
        Map<String, LlmVizJson.Entry> w = RandomWeights.generate(C, 3, true, 0.1f);
        for (String dtype : new String[] {"F16", "BF16"}) {
            DType d = DType.valueOf(dtype);
            Path dir = tmp.resolve(dtype);
            ModelWriter.write(dir, C, w, dtype, "transformer.");
            RecordingBackend backend = new RecordingBackend(DType.F16, DType.BF16);
            Gpt.load(dir, backend).close();
            WeightData fc = backend.received.get("transformer.h.0.mlp.c_fc.weight");
            assertEquals(d, fc.dtype());
            assertArrayEquals(new int[] {32, 8}, fc.shape(), "stored [in, out] = [8, 32], handed over [out, in]");
            float[] stored = w.get("h.0.mlp.c_fc.weight").data(); // [8, 32]
            float[] want = new float[stored.length];
            for (int i = 0; i < 8; i++) {
                for (int o = 0; o < 32; o++) {
                    want[o * 8 + i] = stored[i * 32 + o];
                }
            }
            assertArrayEquals(Quantize.weight("x", d, want, 32, 8).toFloats(), fc.toFloats(), 0f);
            assertEquals(d, backend.received.get("transformer.wte.weight").dtype());
            assertEquals(DType.F32, backend.received.get("transformer.wpe.weight").dtype());
            assertEquals(DType.F32, backend.received.get("transformer.h.0.ln_1.weight").dtype());
            assertEquals(DType.F32, backend.received.get("transformer.h.0.attn.c_attn.bias").dtype());
        }
    }

    @Test
    void float32StaysFloat32() throws IOException {
        Map<String, LlmVizJson.Entry> w = RandomWeights.generate(C, 4, true, 0.1f);
        Path dir = tmp.resolve("f32");
        ModelWriter.write(dir, C, w, "F32", "");
        RecordingBackend backend = new RecordingBackend(DType.F16);
        Gpt.load(dir, backend).close();
        WeightData proj = backend.received.get("h.0.attn.c_proj.weight");
        assertEquals(DType.F32, proj.dtype());
        float[] stored = w.get("h.0.attn.c_proj.weight").data();
        assertEquals(stored[1 * 8 + 2], proj.toFloats()[2 * 8 + 1], 0f); // [in 1, out 2] → [out 2, in 1]
    }
}
