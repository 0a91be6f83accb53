package dev.jgpt.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jgpt.api.Gelu;
import dev.jgpt.model.GptConfig;
import dev.jgpt.model.GptPreset;
import dev.jgpt.model.RandomWeights;
import dev.jgpt.model.io.LlmVizJson;
import dev.jgpt.model.io.ModelWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gpt convert} end to end: a GPT-2 folder to GGUF and to another dtype, the sort model too; and every bad
 * input as one line with its exit code (2 usage, 4 model cannot be loaded, 6 cannot write), nothing written or left
 * behind. (The tensor bytes against llama.cpp's own files are checked in the model module, GgufExportTest.)
 */
class ConvertCommandTest {
    static final Path TINY = Path.of(System.getProperty("jgpt.root", ".")).resolve(
            "../shared/reference/llama.cpp/gpt2-tiny-hf").toAbsolutePath().normalize();

    @TempDir
    static Path tmp;
    static Path nano;
    static final GptConfig NANO = GptPreset.NANO_SORT.config();

    @BeforeAll
    static void nanoModel() throws IOException {
        nano = tmp.resolve("nano");
        assertEquals(0, CliTest.gpt("init", "--preset", "nano-sort", "--out", nano.toString()).code());
    }

    /** A model folder of {@code config} with random weights that {@code edit} may change. */
    static Path model(String name, GptConfig config, Consumer<Map<String, LlmVizJson.Entry>> edit)
            throws IOException {
        Map<String, LlmVizJson.Entry> w = RandomWeights.generate(config, 1, true, 0f);
        edit.accept(w);
        Path dir = tmp.resolve(name);
        ModelWriter.write(dir, config, w, "F32", "");
        return dir;
    }

    /** What {@code dir} holds, names only (temporary files included). */
    static String[] listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toArray(String[]::new);
        }
    }

    @Test
    void gpt2FolderToGgufQ8() throws IOException {
        assumeTrue(Files.isDirectory(TINY), TINY + " is absent");
        Path out = tmp.resolve("gguf/tiny-q8_0.gguf");
        CliTest.Run r = CliTest.gpt("convert", "--model", TINY.toString(), "--to", "gguf", "--type", "q8_0", "--out",
                out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.err());
        assertEquals("wrote " + out + " (GGUF Q8_0: 9 × Q8_0, 19 × F32; tokenizer: 50257 tokens and 50000 merges "
                + "from GPT-2's BPE (JTokkit's r50k_base))\n", r.out());
        byte[] head = Arrays.copyOf(Files.readAllBytes(out), 4);
        assertEquals("GGUF", new String(head, StandardCharsets.US_ASCII));
        assertArrayEquals(new String[] {"tiny-q8_0.gguf"}, listing(out.getParent()), "no temporary file left");
    }

    @Test
    void theSortModelToGgufAndToF16() throws IOException {
        Path out = tmp.resolve("nano-q4.gguf");
        CliTest.Run r = CliTest.gpt("convert", "--model", nano.toString(), "--to", "GGUF", "--type", "Q4_0", "--out",
                out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("GGUF Q4_0: 3 × Q4_0, 27 × F32, 11 × F16; 11 with rows not a multiple of 32 "
                + "written F16 (token_embd.weight, blk.0.attn_qkv.weight"), r.out());
        assertTrue(r.out().endsWith("; no tokenizer: the model's is the sort letters A, B, C)\n"), r.out());
        Path f16 = tmp.resolve("nano-f16");
        CliTest.Run s = CliTest.gpt("convert", "--model", nano.toString(), "--to", "safetensors", "--type", "f16",
                "--out", f16.toString());
        assertEquals(0, s.code(), s.err());
        assertEquals("wrote " + f16 + " (safetensors F16, 41 tensors, tokenizer_class SortTokenizer)\n", s.out());
        CliTest.Run sorted = CliTest.gpt("sort", "CBABBC", "--model", f16.toString());
        assertEquals(0, sorted.code(), sorted.err());
        assertEquals(6, sorted.out().strip().length(), "the F16 model runs: " + sorted.out());
        assertTrue(Files.readString(f16.resolve("config.json")).contains("\"tokenizer_class\": \"SortTokenizer\""));
    }

    @Test
    void aGgufFileBackToAFolderAndRequantized() throws IOException {
        Path f32 = TINY.resolveSibling("gpt2-tiny-f32.gguf");
        assumeTrue(Files.isRegularFile(f32), f32 + " is absent");
        Path back = tmp.resolve("from-gguf");
        CliTest.Run r = CliTest.gpt("convert", "--model", f32.toString(), "--to", "safetensors", "--type", "f16",
                "--out", back.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("wrote " + back + " (safetensors F16, 28 tensors, tokenizer_class GPT2Tokenizer)\n", r.out());
        CliTest.Run text = CliTest.gpt("generate", "--model", back.toString(), "--prompt", "Hello", "--max-new-tokens",
                "2", "--format", "ids");
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().startsWith("15496,"), "GPT-2's BPE: " + text.out());
        Path q8 = tmp.resolve("re-q8.gguf");
        CliTest.Run re = CliTest.gpt("convert", "--model", f32.toString(), "--to", "gguf", "--type", "q8_0", "--out",
                q8.toString());
        assertEquals(0, re.code(), re.err());
        assertEquals("wrote " + q8 + " (GGUF Q8_0: 9 × Q8_0, 19 × F32; tokenizer: 50257 tokens and 50000 merges from "
                + "tokenizer.ggml.* in " + f32 + ")\n", re.out());
        CliTest.Run run = CliTest.gpt("generate", "--model", q8.toString(), "--tokens", "15496,11", "--max-new-tokens",
                "1", "--format", "ids");
        assertEquals(0, run.code(), run.err());
    }

    @Test
    void usageErrorsListTheValidValues() {
        String m = nano.toString();
        String o = tmp.resolve("never.gguf").toString();
        CliTest.gpt("convert", "--model", m, "--to", "onnx", "--type", "f16", "--out", o)
                .assertOneLineError(2, "unknown --to \"onnx\"", "gguf or safetensors");
        CliTest.gpt("convert", "--model", m, "--to", "gguf", "--type", "q5_k", "--out", o)
                .assertOneLineError(2, "unknown --type \"q5_k\"", "f32, f16, bf16, q8_0 or q4_0");
        CliTest.gpt("convert", "--model", m, "--to", "safetensors", "--type", "q8_0", "--out", o)
                .assertOneLineError(2, "--type q8_0 is a GGUF type", "f32, f16 or bf16");
        CliTest.gpt("convert", "--model", m, "--to", "safetensors", "--type", "int8", "--out", o)
                .assertOneLineError(2, "choose f32, f16 or bf16");
        CliTest.gpt("convert", "--model", m, "--to", "gguf", "--out", o).assertOneLineError(2, "--type");
        CliTest.gpt("convert", "--model", m, "--to", "gguf", "--type", "f16", "--out", "")
                .assertOneLineError(2, "empty");
        assertFalse(Files.exists(Path.of(o)));
    }

    @Test
    void modelsThatCannotBeLoadedWriteNothing() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("load"));
        Path o = dir.resolve("out.gguf");
        CliTest.gpt("convert", "--model", tmp.resolve("nope").toString(), "--to", "gguf", "--type", "f32", "--out",
                o.toString()).assertOneLineError(4, "does not exist");
        Path gguf = Files.writeString(dir.resolve("m.gguf"), "GGUF");
        CliTest.gpt("convert", "--model", gguf.toString(), "--to", "safetensors", "--type", "f32", "--out",
                dir.resolve("back").toString()).assertOneLineError(4, gguf.toString());
        Path truncated = model("truncated", NANO, w -> { });
        byte[] all = Files.readAllBytes(truncated.resolve("model.safetensors"));
        Files.write(truncated.resolve("model.safetensors"), Arrays.copyOf(all, all.length - 1000));
        CliTest.gpt("convert", "--model", truncated.toString(), "--to", "gguf", "--type", "q8_0", "--out",
                o.toString()).assertOneLineError(4, "outside the data section");
        Path nan = model("nan", NANO, w -> w.get("h.2.mlp.c_proj.bias").data()[5] = Float.NaN);
        CliTest.gpt("convert", "--model", nan.toString(), "--to", "gguf", "--type", "f16", "--out", o.toString())
                .assertOneLineError(4, "h.2.mlp.c_proj.bias", "NaN");
        CliTest.gpt("convert", "--model", nan.toString(), "--to", "safetensors", "--type", "f16", "--out",
                dir.resolve("nan-f16").toString()).assertOneLineError(4, "NaN");
        GptConfig bpe = new GptConfig(1, 1, 32, 50257, 8, 1e-5f, Gelu.TANH, true);
        Path vocab = model("vocab", bpe, w -> { });
        Files.writeString(vocab.resolve("vocab.json"), "{}");
        Files.writeString(vocab.resolve("merges.txt"), "");
        CliTest.gpt("convert", "--model", vocab.toString(), "--to", "gguf", "--type", "f32", "--out", o.toString())
                .assertOneLineError(4, "vocab.json holds no tokens");
        assertArrayEquals(new String[] {"m.gguf"}, listing(dir), "nothing written, no temporary file left");
    }

    @Test
    void outputIsNeverReplacedWithoutForceAndRefusedWhereItCannotGo() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("write"));
        Path existing = Files.writeString(dir.resolve("old.gguf"), "keep me");
        String m = nano.toString();
        CliTest.gpt("convert", "--model", m, "--to", "gguf", "--type", "f32", "--out", existing.toString())
                .assertOneLineError(6, "already exists", "--force");
        assertEquals("keep me", Files.readString(existing));
        CliTest.gpt("convert", "--model", m, "--to", "gguf", "--type", "f32", "--out", dir.toString())
                .assertOneLineError(6, "cannot write " + dir, "a folder");
        CliTest.gpt("convert", "--model", m, "--to", "gguf", "--type", "f32", "--out",
                existing.resolve("x.gguf").toString()).assertOneLineError(6, "cannot write");
        CliTest.gpt("convert", "--model", m, "--to", "safetensors", "--type", "f32", "--out", existing.toString())
                .assertOneLineError(6, "not a folder");
        CliTest.gpt("convert", "--model", m, "--to", "safetensors", "--type", "bf16", "--out", m)
                .assertOneLineError(6, "already holds a model", "--force");
        assertArrayEquals(new String[] {"old.gguf"}, listing(dir));
        CliTest.Run forced = CliTest.gpt("convert", "--model", m, "--to", "gguf", "--type", "f32", "--force",
                "--out", existing.toString());
        assertEquals(0, forced.code(), forced.err());
        assertEquals("GGUF", Files.readString(existing, StandardCharsets.ISO_8859_1).substring(0, 4));
        Path copy = tmp.resolve("write-copy");
        assertEquals(0, CliTest.gpt("convert", "--model", m, "--to", "safetensors", "--type", "f32", "--out",
                copy.toString()).code());
        CliTest.Run again = CliTest.gpt("convert", "--model", m, "--to", "safetensors", "--type", "bf16", "--force",
                "--out", copy.toString());
        assertEquals(0, again.code(), again.err());
        assertTrue(Files.readString(copy.resolve("model.safetensors"), StandardCharsets.ISO_8859_1)
                .contains("\"BF16\""));
    }
}
