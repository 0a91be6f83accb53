package dev.jgpt.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jgpt.api.DType;
import dev.jgpt.api.Quantize;
import dev.jgpt.model.Gpt2Vocabulary;
import dev.jgpt.model.GptPreset;
import dev.jgpt.model.Checkpoint;
import dev.jgpt.model.RandomWeights;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Converting the shared {@code gpt2-tiny-hf} folder gives, tensor by tensor, the names, types, shapes and data bytes of
 * llama.cpp's own files: {@code gpt2-tiny-f32.gguf} (its converter) for f32, and for f16, q8_0 and q4_0 the files
 * {@code llama-quantize} made from it ({@code … F16}, {@code … Q8_0}, {@code --pure … Q4_0}).
 *
 * <p>What differs, all in the metadata: {@code general.name} (ours is the folder's name, {@code gpt2-tiny-hf}; theirs
 * {@code gpt2-tiny}); ours has {@code general.alignment = 32} (theirs leave it out, meaning 32); llama-quantize writes
 * {@code general.quantization_version} into its F16 file too, ours only into Q8_0 and Q4_0 files; the order of the keys
 * ({@code general.file_type} among the {@code general.*} keys) and of the tensors (llama-quantize sorts them by name,
 * ours keep the converter's order, which is the F32 file's), hence the offsets in the quantized files.
 */
class GgufExportTest {
    static final Path REF = Path.of(System.getProperty("jgpt.root", ".")).resolve("../shared/reference/llama.cpp")
            .toAbsolutePath().normalize();

    @TempDir
    static Path tmp;

    @BeforeAll
    static void shared() {
        assumeTrue(Files.isDirectory(REF.resolve("gpt2-tiny-hf")), REF + " is absent");
    }

    static GgufTestFile convert(String type) throws IOException {
        Path out = tmp.resolve("tiny-" + type + ".gguf");
        if (!Files.exists(out)) {
            try (Checkpoint m = Checkpoint.open(REF.resolve("gpt2-tiny-hf"))) {
                GgufExport.write(m, DType.valueOf(type.toUpperCase()), m.vocabulary(), out);
            }
        }
        return GgufTestFile.read(out);
    }

    /** Same tensor names, types, dims and data bytes as {@code reference}. */
    static void assertSameTensors(GgufTestFile reference, GgufTestFile ours) {
        assertEquals(reference.tensors.keySet().stream().sorted().toList(),
                ours.tensors.keySet().stream().sorted().toList(), "tensor names");
        for (GgufTestFile.Info want : reference.tensors.values()) {
            GgufTestFile.Info got = ours.tensors.get(want.name());
            assertEquals(want.type(), got.type(), want.name() + " type");
            assertArrayEquals(want.dims(), got.dims(), want.name() + " dims");
            assertArrayEquals(reference.data(want.name()), ours.data(want.name()), want.name() + " bytes");
        }
    }

    @Test
    void f32EqualsLlamaCppsConverter() throws IOException {
        GgufTestFile ref = GgufTestFile.read(REF.resolve("gpt2-tiny-f32.gguf"));
        GgufTestFile ours = convert("f32");
        assertSameTensors(ref, ours);
        assertEquals(List.copyOf(ref.tensors.keySet()), List.copyOf(ours.tensors.keySet()), "the same order");
        for (GgufTestFile.Info t : ref.tensors.values()) {
            assertEquals(t.offset(), ours.tensors.get(t.name()).offset(), t.name() + " offset");
        }
        for (String key : ref.metadata.keySet()) {
            if (!key.equals("general.name")) {
                assertEquals(ref.metadata.get(key), ours.metadata.get(key), key);
                assertEquals(ref.typeOf(key), ours.typeOf(key), key + " value type");
            }
        }
        assertEquals("gpt2-tiny-hf", ours.metadata.get("general.name"));
        assertEquals(32L, ours.metadata.get("general.alignment"));
        assertFalse(ours.metadata.containsKey("general.quantization_version"));
        assertEquals(3, ours.version);
    }

    @Test
    void f16EqualsLlamaQuantize() throws IOException {
        GgufTestFile ref = GgufTestFile.read(REF.resolve("gpt2-tiny-f16.gguf"));
        GgufTestFile ours = convert("f16");
        assertSameTensors(ref, ours);
        assertEquals(1L, ours.metadata.get("general.file_type"));
    }

    @Test
    void q8EqualsLlamaQuantize() throws IOException {
        GgufTestFile ref = GgufTestFile.read(REF.resolve("gpt2-tiny-q8_0.gguf"));
        GgufTestFile ours = convert("q8_0");
        assertSameTensors(ref, ours);
        assertEquals(ref.metadata.get("general.file_type"), ours.metadata.get("general.file_type"));
        assertEquals(2L, ours.metadata.get("general.quantization_version"));
    }

    @Test
    void q4EqualsLlamaQuantizePure() throws IOException {
        GgufTestFile ref = GgufTestFile.read(REF.resolve("gpt2-tiny-q4_0.gguf"));
        GgufTestFile ours = convert("q4_0");
        assertSameTensors(ref, ours);
        assertEquals(ref.metadata.get("general.file_type"), ours.metadata.get("general.file_type"));
        assertEquals(ref.metadata.get("general.quantization_version"),
                ours.metadata.get("general.quantization_version"));
    }

    @Test
    void bf16RoundsTheF32WeightsToNearestEven() throws IOException {
        GgufTestFile f32 = GgufTestFile.read(REF.resolve("gpt2-tiny-f32.gguf"));
        GgufTestFile ours = convert("bf16");
        assertEquals(32L, ours.metadata.get("general.file_type"));
        for (GgufTestFile.Info t : f32.tensors.values()) {
            GgufTestFile.Info got = ours.tensors.get(t.name());
            boolean matrix = t.dims().length == 2 && !t.name().startsWith("position_embd");
            assertEquals(matrix ? 30 : 0, got.type(), t.name());
            float[] values = floats(f32.data(t.name()));
            byte[] want = matrix ? Quantize.toBytes(DType.BF16, values) : f32.data(t.name());
            assertArrayEquals(want, ours.data(t.name()), t.name());
        }
    }

    static float[] floats(byte[] b) {
        float[] f = new float[b.length / 4];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
        return f;
    }

    @Test
    void rowsNotAMultipleOf32FallBackToF16AndTheSortModelGetsNoTokenizer() throws IOException {
        GptPreset nano = GptPreset.named("nano-sort"); // width 48: rows of 48 cannot be Q8_0 blocks, rows of 192 can
        Path dir = tmp.resolve("nano");
        ModelWriter.write(dir, nano.config(), RandomWeights.generate(nano.config(), 1, true, 0f), "F32", "");
        Path out = tmp.resolve("nano-q8.gguf");
        GgufExport.Result r;
        try (Checkpoint m = Checkpoint.open(dir)) {
            assertEquals(null, m.vocabulary(), "the sort letters");
            r = GgufExport.write(m, DType.Q8_0, null, out);
        }
        GgufTestFile g = GgufTestFile.read(out);
        assertTrue(g.metadata.keySet().stream().noneMatch(k -> k.startsWith("tokenizer.")), g.metadata.keySet()
                .toString());
        assertEquals(7L, g.metadata.get("general.file_type"));
        for (GgufTestFile.Info t : g.tensors.values()) {
            int want = t.dims().length == 1 || t.name().startsWith("position_embd") ? 0
                    : t.dims()[0] % 32 == 0 ? 8 : 1;
            assertEquals(want, t.type(), t.name());
        }
        assertEquals(8, g.tensors.get("blk.0.ffn_down.weight").type(), "rows of 192 are Q8_0");
        assertEquals(1, g.tensors.get("token_embd.weight").type(), "rows of 48 fall back to F16");
        assertTrue(r.fallbacks().contains("blk.2.attn_qkv.weight"), r.fallbacks().toString());
        assertFalse(r.fallbacks().contains("blk.2.ffn_down.weight"));
        assertTrue(g.tensors.containsKey("output.weight"), "the sort model's head is untied");
        Map<String, DType> types = r.types();
        assertEquals(DType.F16, types.get("output.weight"));
    }
}
