package dev.jgpt.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jgpt.api.DType;
import dev.jgpt.api.Gelu;
import dev.jgpt.model.Checkpoint;
import dev.jgpt.model.Gpt2Vocabulary;
import dev.jgpt.model.GptConfig;
import dev.jgpt.model.RandomWeights;
import dev.jgpt.model.TokenizerChoice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Converting from a GGUF file (the project's reader, GgufFile): llama.cpp's F32 file back to a folder gives exactly
 * the weights of the folder it was made from; its tokenizer comes along into GGUF and is declared GPT2Tokenizer in a
 * folder; requantizing it gives llama-quantize's bytes; a vocabulary that is not GPT-2's is not declared as GPT-2's.
 */
class GgufSourceTest {
    @TempDir
    static Path tmp;

    @BeforeAll
    static void shared() {
        assumeTrue(Files.isDirectory(GgufExportTest.REF.resolve("gpt2-tiny-hf")), GgufExportTest.REF + " is absent");
    }

    @Test
    void llamaCppsF32FileBackToAFolderIsTheFolderItWasMadeFrom() throws IOException {
        Path out = tmp.resolve("back");
        try (Checkpoint g = Checkpoint.open(GgufExportTest.REF.resolve("gpt2-tiny-f32.gguf"))) {
            assertEquals("gpt2-tiny", g.name());
            assertEquals(TokenizerChoice.Kind.FILE_BPE, g.tokenizer().kind());
            assertTrue(g.vocabulary().isGpt2(), "the file's vocabulary is GPT-2's");
            assertEquals(TokenizerChoice.GPT2_CLASS, SafetensorsExport.write(g, "F32", out).tokenizerClass);
        }
        try (Checkpoint a = Checkpoint.open(GgufExportTest.REF.resolve("gpt2-tiny-hf"));
                Checkpoint b = Checkpoint.open(out)) {
            assertEquals(a.config().toString(), b.config().toString());
            assertEquals(a.shapes().keySet(), b.shapes().keySet());
            for (String name : a.shapes().keySet()) {
                assertArrayEquals(a.read(name), b.read(name), name);
            }
        }
    }

    @Test
    void requantizingTheF32FileGivesLlamaQuantizesBytesAndKeepsItsTokenizer() throws IOException {
        Path out = tmp.resolve("re-q4.gguf");
        try (Checkpoint g = Checkpoint.open(GgufExportTest.REF.resolve("gpt2-tiny-f32.gguf"))) {
            GgufExport.write(g, DType.Q4_0, g.vocabulary(), out);
        }
        GgufTestFile ref = GgufTestFile.read(GgufExportTest.REF.resolve("gpt2-tiny-q4_0.gguf"));
        GgufTestFile ours = GgufTestFile.read(out);
        GgufExportTest.assertSameTensors(ref, ours);
        for (String key : List.of("tokenizer.ggml.tokens", "tokenizer.ggml.merges", "tokenizer.ggml.token_type",
                "tokenizer.ggml.bos_token_id", "general.name", "general.file_type")) {
            assertEquals(ref.metadata.get(key), ours.metadata.get(key), key);
        }
    }

    @Test
    void aQuantizedFileIsDequantized() throws IOException {
        Path out = tmp.resolve("q8-f32");
        try (Checkpoint g = Checkpoint.open(GgufExportTest.REF.resolve("gpt2-tiny-q8_0.gguf"))) {
            SafetensorsExport.write(g, "F32", out);
        }
        GgufTestFile q8 = GgufTestFile.read(GgufExportTest.REF.resolve("gpt2-tiny-q8_0.gguf"));
        byte[] qkv = q8.data("blk.1.attn_qkv.weight");
        float[] want = dev.jgpt.api.Dequantize.toFloats(DType.Q8_0, java.nio.ByteBuffer.wrap(qkv)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN), 192 * 64);
        try (Checkpoint b = Checkpoint.open(out)) {
            assertArrayEquals(want, b.read("h.1.attn.c_attn.weight"));
        }
    }

    @Test
    void aFilesOwnVocabularyThatIsNotGpt2sIsKeptInGgufAndNotDeclaredInAFolder() throws IOException {
        GptConfig c = new GptConfig(1, 2, 32, 257, 8, 1e-5f, Gelu.TANH, true);
        Path dir = tmp.resolve("own");
        ModelWriter.write(dir, c, RandomWeights.generate(c, 3, true, 0.1f), "F32", "");
        List<String> tokens = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            tokens.add(Gpt2Vocabulary.printable(new byte[] {(byte) b}));
        }
        tokens.add("ab");
        int[] types = new int[257];
        Arrays.fill(types, Gpt2Vocabulary.NORMAL);
        Gpt2Vocabulary own = new Gpt2Vocabulary(tokens, types, List.of("a b"), "a test");
        Path gguf = tmp.resolve("own.gguf");
        try (Checkpoint m = Checkpoint.open(dir)) {
            assertNull(m.vocabulary(), "257 tokens and no declaration: no tokenizer");
            GgufExport.write(m, DType.F16, own, gguf);
        }
        Path back = tmp.resolve("own-back");
        try (Checkpoint g = Checkpoint.open(gguf)) {
            assertEquals(TokenizerChoice.Kind.FILE_BPE, g.tokenizer().kind());
            assertEquals(tokens, g.vocabulary().tokens());
            assertEquals(List.of("a b"), g.vocabulary().merges());
            assertFalse(g.vocabulary().isGpt2());
            assertNull(SafetensorsExport.write(g, "F16", back).tokenizerClass);
        }
        assertFalse(Files.readString(back.resolve("config.json")).contains("tokenizer_class"));
        try (Checkpoint a = Checkpoint.open(dir); Checkpoint b = Checkpoint.open(back)) {
            for (Map.Entry<String, int[]> e : a.shapes().entrySet()) {
                float[] x = a.read(e.getKey());
                boolean f16 = e.getValue().length == 2 && !e.getKey().startsWith("wpe");
                float[] want = f16 ? dev.jgpt.api.Dequantize.toFloats(DType.F16, java.nio.ByteBuffer.wrap(
                        dev.jgpt.api.Quantize.toBytes(DType.F16, x)).order(java.nio.ByteOrder.LITTLE_ENDIAN),
                        x.length) : x;
                float[] got = b.read(e.getKey());
                float[] want16 = dev.jgpt.api.Dequantize.toFloats(DType.F16, java.nio.ByteBuffer.wrap(
                        dev.jgpt.api.Quantize.toBytes(DType.F16, want)).order(java.nio.ByteOrder.LITTLE_ENDIAN),
                        want.length);
                assertArrayEquals(want16, got, e.getKey() + ": F16 in GGUF (2-D) or F32, then F16 in the folder");
            }
        }
    }
}
