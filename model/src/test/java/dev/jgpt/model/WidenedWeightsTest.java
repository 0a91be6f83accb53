package dev.jgpt.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.jgpt.api.DType;
import org.junit.jupiter.api.Test;

/** The loader says in one line which stored weights a backend widens (it does not compute on their dtype). */
class WidenedWeightsTest {
    @Test
    void aBackendWithoutQ8GetsTheNineMatricesWidenedAndSaysSo() {
        // gpt2-tiny-q8_0.gguf: 9 Q8_0 tensors (token_embd, and per block attn_qkv, attn_output, ffn_up, ffn_down),
        // 1.0625 bytes each element as stored, 4 as F32
        RecordingBackend f32Only = new RecordingBackend();
        try (Gpt gpt = Gpt.load(LlamaCppFiles.dir().resolve("gpt2-tiny-q8_0.gguf"), f32Only)) {
            long elements = 50257L * 64 + 2 * (3 * 64 * 64 + 64 * 64 + 4 * 64 * 64 + 4 * 64 * 64);
            String want = String.format(java.util.Locale.ROOT, "this backend computes on [F32] weights: 9 Q8_0 "
                    + "weights widened to F32 (%.1f MB as stored, %.1f MB in memory)", elements / 32 * 34 / 1e6,
                    elements * 4 / 1e6);
            assertEquals(want, gpt.widenedWeights());
        }
        try (Gpt gpt = Gpt.load(LlamaCppFiles.dir().resolve("gpt2-tiny-q8_0.gguf"), new RecordingBackend(DType.Q8_0))) {
            assertNull(gpt.widenedWeights(), "a backend that computes on Q8_0 widens nothing");
        }
        try (Gpt gpt = Gpt.load(LlamaCppFiles.dir().resolve("gpt2-tiny-f32.gguf"), f32Only)) {
            assertNull(gpt.widenedWeights(), "F32 weights are never widened");
        }
    }
}
