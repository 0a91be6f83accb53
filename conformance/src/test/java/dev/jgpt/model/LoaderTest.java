package dev.jgpt.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.api.Gelu;
import dev.jgpt.api.Tensor;
import dev.jgpt.api.TensorBackend;
import dev.jgpt.model.io.LlmVizJson;
import dev.jgpt.model.io.ModelWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The safetensors loader on small models the test writes itself. */
class LoaderTest {
    static final GptConfig TIED = new GptConfig(2, 2, 8, 11, 7, 1e-5f, Gelu.TANH, true);
    static final GptConfig UNTIED = new GptConfig(2, 2, 8, 11, 7, 1e-5f, Gelu.TANH, false);
    static final int[] IDS = {3, 1, 4, 1, 5};

    @TempDir
    Path tmp;
    final TensorBackend backend = TestSupport.plain();

    Path write(String name, GptConfig c, Map<String, LlmVizJson.Entry> w, String dtype, String prefix)
            throws IOException {
        Path dir = tmp.resolve(name);
        ModelWriter.write(dir, c, w, dtype, prefix);
        return dir;
    }

    float[] logits(Path dir) {
        try (Gpt gpt = Gpt.load(dir, backend)) {
            Tensor t = gpt.forwardAll(IDS, 1, IDS.length, Trace.OFF);
            return backend.toArray(t);
        }
    }

    @Test
    void prefixedAndUnprefixedNamesLoadTheSameModel() throws IOException {
        Map<String, LlmVizJson.Entry> w = RandomWeights.generate(TIED, 1, true, 0.1f);
        float[] plain = logits(write("a", TIED, w, "F32", ""));
        float[] prefixed = logits(write("b", TIED, w, "F32", "transformer."));
        assertArrayEquals(plain, prefixed, 0f);
        assertEquals(IDS.length * TIED.vocabSize, plain.length);
    }

    @Test
    void untiedHeadUsesLmHeadAndTiedHeadUsesWte() throws IOException {
        Map<String, LlmVizJson.Entry> w = RandomWeights.generate(UNTIED, 2, true, 0.1f);
        float[] untied = logits(write("untied", UNTIED, w, "F32", ""));
        // the same weights with lm_head replaced by wte must equal the tied model
        Map<String, LlmVizJson.Entry> copy = new LinkedHashMap<>(w);
        copy.put("lm_head.weight", w.get("wte.weight"));
        float[] headIsWte = logits(write("headIsWte", UNTIED, copy, "F32", ""));
        copy.remove("lm_head.weight");
        float[] tied = logits(write("tied", TIED, copy, "F32", ""));
        assertArrayEquals(tied, headIsWte, 0f);
        assertNotEquals(untied[0], tied[0]);
    }

    @Test
    void missingBiasesAreZero() throws IOException {
        Map<String, LlmVizJson.Entry> withZero = RandomWeights.generate(TIED, 3, true, 0f); // zero biases
        Map<String, LlmVizJson.Entry> without = new LinkedHashMap<>(withZero);
        without.keySet().removeIf(k -> k.endsWith(".bias"));
        assertTrue(without.size() < withZero.size());
        assertArrayEquals(logits(write("zero", TIED, withZero, "F32", "")),
                logits(write("none", TIED, without, "F32", "")), 0f);
    }

    @Test
    void halfPrecisionFilesLoadAsFloat32() throws IOException {
        Map<String, LlmVizJson.Entry> w = RandomWeights.generate(TIED, 4, true, 0.1f);
        float[] f32 = logits(write("f32", TIED, w, "F32", ""));
        // F16 keeps 11 significant bits, BF16 8: logits of this size (|x| < 1) move by well under 1e-2
        float[] f16 = logits(write("f16", TIED, w, "F16", ""));
        float[] bf16 = logits(write("bf16", TIED, w, "BF16", ""));
        assertArrayEquals(f32, f16, 2e-3f);
        assertArrayEquals(f32, bf16, 2e-2f);
        assertNotEquals(f32[0], bf16[0]); // really rounded, not read as F32
    }

    @Test
    void aShapeMismatchNamesTheTensor() throws IOException {
        Map<String, LlmVizJson.Entry> w = RandomWeights.generate(TIED, 5, true, 0f);
        w.put("h.1.mlp.c_fc.weight", new LlmVizJson.Entry(new int[] {8, 31}, new float[8 * 31]));
        Path dir = write("bad", TIED, w, "F32", "");
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> Gpt.load(dir, backend));
        assertTrue(e.getMessage().contains("h.1.mlp.c_fc.weight") && e.getMessage().contains("[8, 32]"),
                e.getMessage());
    }

    @Test
    void aMissingTensorIsNamed() throws IOException {
        Map<String, LlmVizJson.Entry> w = RandomWeights.generate(TIED, 6, true, 0f);
        w.remove("h.0.attn.c_proj.weight");
        Path dir = write("missing", TIED, w, "F32", "");
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> Gpt.load(dir, backend));
        assertTrue(e.getMessage().contains("h.0.attn.c_proj.weight"), e.getMessage());
    }

    @Test
    void aTruncatedFileIsRefused() throws IOException {
        Path dir = write("trunc", TIED, RandomWeights.generate(TIED, 7, true, 0f), "F32", "");
        Path file = dir.resolve("model.safetensors");
        byte[] all = Files.readAllBytes(file);
        for (int keep : new int[] {0, 5, 12, all.length / 2, all.length - 1}) {
            Files.write(file, java.util.Arrays.copyOf(all, keep));
            ModelLoadException e = assertThrows(ModelLoadException.class, () -> Gpt.load(dir, backend),
                    "kept " + keep + " bytes");
            assertTrue(e.getMessage().contains("model.safetensors"), e.getMessage());
        }
    }

    @Test
    void configProblemsAreNamed() throws IOException {
        Path dir = write("cfg", TIED, RandomWeights.generate(TIED, 8, true, 0f), "F32", "");
        Path config = dir.resolve("config.json");
        Files.writeString(config, "{\"n_layer\": 2, \"n_head\": 2, \"vocab_size\": 11, \"n_positions\": 7}");
        assertTrue(assertThrows(ModelLoadException.class, () -> Gpt.load(dir, backend)).getMessage()
                .contains("'n_embd'"));
        Files.writeString(config, "{not json");
        assertTrue(assertThrows(ModelLoadException.class, () -> Gpt.load(dir, backend)).getMessage()
                .contains("not valid JSON"));
        Files.writeString(config, TIED.toJson().replace("\"n_layer\": 2", "\"n_layer\": 100000000"));
        assertTrue(assertThrows(ModelLoadException.class, () -> Gpt.load(dir, backend)).getMessage()
                .contains("n_layer"));
        Files.delete(config);
        assertTrue(assertThrows(ModelLoadException.class, () -> Gpt.load(dir, backend)).getMessage()
                .contains("config.json"));
        assertTrue(assertThrows(ModelLoadException.class, () -> Gpt.load(tmp.resolve("nope"), backend))
                .getMessage().contains("does not exist"));
    }
}
