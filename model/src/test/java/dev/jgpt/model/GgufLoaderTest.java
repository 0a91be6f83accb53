package dev.jgpt.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.api.DType;
import dev.jgpt.api.Quantize;
import dev.jgpt.api.WeightData;
import dev.jgpt.model.io.TinyGguf;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading llama.cpp's gpt2 architecture from small GGUF files the test writes ({@link TinyGguf}). */
class GgufLoaderTest {
    static final int L = 2;
    static final int H = 2;
    static final int E = 32;
    static final int V = 11;
    static final int P = 7;

    @TempDir
    Path tmp;

    Path file() {
        return tmp.resolve("model.gguf");
    }

    static TinyGguf tiny() {
        return TinyGguf.gpt2(L, H, E, V, P, 5);
    }

    String refused(TinyGguf g, String... expected) throws IOException {
        return Hostile.refused(file(), g.bytes(), p -> Gpt.load(p, new RecordingBackend()), expected);
    }

    @Test
    void aTinyModelLoadsWithItsConfigAndLayout() throws IOException {
        TinyGguf g = tiny();
        SplittableRandom rnd = new SplittableRandom(9);
        g.random("blk.0.attn_qkv.weight", DType.Q8_0, rnd, E, 3 * E);
        g.random("blk.1.ffn_down.weight", DType.Q4_0, rnd, 4 * E, E);
        g.random("blk.0.ffn_up.weight", DType.F16, rnd, E, 4 * E);
        g.random("blk.1.ffn_up.weight", DType.BF16, rnd, E, 4 * E);
        g.random("blk.0.attn_norm.bias", DType.F16, rnd, E); // norms and biases arrive as F32 whatever the file says
        g.random("position_embd.weight", DType.Q8_0, rnd, E, P);
        RecordingBackend backend = new RecordingBackend(DType.F16, DType.BF16, DType.Q8_0, DType.Q4_0);
        try (Gpt gpt = Gpt.load(g.write(file()), backend)) {
            GptConfig c = gpt.config();
            assertEquals(L, c.nLayer);
            assertEquals(H, c.nHead);
            assertEquals(E, c.nEmbd);
            assertEquals(V, c.vocabSize);
            assertEquals(P, c.nPositions);
            assertEquals(1e-5f, c.layerNormEps);
            assertTrue(c.tieWordEmbeddings);
            assertNull(gpt.tokenizerChoice().kind(), "11 tokens and no tokenizer metadata: none");
        }
        WeightData qkv = backend.received.get("blk.0.attn_qkv.weight");
        assertEquals(DType.Q8_0, qkv.dtype());
        assertArrayEquals(new int[] {3 * E, E}, qkv.shape(), "ne [E, 3E] is the [out, in] matrix [3E, E]");
        assertEquals(DType.Q4_0, backend.received.get("blk.1.ffn_down.weight").dtype());
        assertArrayEquals(new int[] {E, 4 * E}, backend.received.get("blk.1.ffn_down.weight").shape());
        assertEquals(DType.F16, backend.received.get("blk.0.ffn_up.weight").dtype());
        assertEquals(DType.BF16, backend.received.get("blk.1.ffn_up.weight").dtype());
        assertEquals(DType.F32, backend.received.get("blk.0.attn_norm.bias").dtype());
        assertEquals(DType.F32, backend.received.get("position_embd.weight").dtype());
        assertArrayEquals(new int[] {P, E}, backend.received.get("position_embd.weight").shape());
        assertArrayEquals(new int[] {V, E}, backend.received.get("token_embd.weight").shape());
        assertEquals(4 + 12 * L, backend.received.size());
    }

    @Test
    void anOutputWeightUntiesTheHead() throws IOException {
        TinyGguf g = tiny();
        g.random("output.weight", DType.F32, new SplittableRandom(3), E, V);
        RecordingBackend backend = new RecordingBackend();
        try (Gpt gpt = Gpt.load(g.write(file()), backend)) {
            assertTrue(!gpt.config().tieWordEmbeddings);
        }
        assertArrayEquals(new int[] {V, E}, backend.received.get("output.weight").shape());
    }

    @Test
    void theTokenizerComesFromTheMetadata() throws IOException {
        TinyGguf g = TinyGguf.gpt2(1, 1, 32, 258, 4, 1);
        String[] tokens = new String[258];
        for (int b = 0; b < 256; b++) {
            tokens[b] = String.valueOf(ByteLevel.toChar(b));
        }
        tokens[256] = "ab";
        tokens[257] = "Ġab";
        g.string("tokenizer.ggml.model", "gpt2").strings("tokenizer.ggml.tokens", tokens)
                .strings("tokenizer.ggml.merges", "a b", "Ġ ab").u32("tokenizer.ggml.eos_token_id", 257);
        try (Gpt gpt = Gpt.load(g.write(file()), new RecordingBackend())) {
            assertEquals(TokenizerChoice.Kind.FILE_BPE, gpt.tokenizerChoice().kind());
            assertArrayEquals(new int[] {256, 257, 'c'}, gpt.tokenizer().encode("ab abc"));
            assertEquals(" ab", gpt.tokenizer().decode(new int[] {257}));
            assertEquals(257, ((BpeTokenizer) gpt.tokenizer()).eos());
        }
        g.string("tokenizer.ggml.model", "llama");
        try (Gpt gpt = Gpt.load(g.write(file()), new RecordingBackend())) { // refused only when text is asked for
            InvalidInputException e = assertThrows(InvalidInputException.class, gpt::tokenizer);
            assertTrue(e.getMessage().contains("tokenizer.ggml.model \"llama\""), e.getMessage());
        }
        g.string("tokenizer.ggml.model", "gpt2").strings("tokenizer.ggml.tokens", "a", "b");
        refused(g, "tokenizer.ggml.tokens holds 2 tokens but token_embd.weight has 258 rows");
        g.metadata.remove("tokenizer.ggml.tokens");
        refused(g, "tokenizer.ggml.model is 'gpt2' but tokenizer.ggml.tokens is missing");
    }

    @Test
    void withoutTokenizerMetadataTheVocabularySizeDecides() throws IOException {
        try (Gpt gpt = Gpt.load(TinyGguf.gpt2(1, 1, 32, 3, 11, 1).write(file()), new RecordingBackend())) {
            assertEquals(TokenizerChoice.Kind.SORT_LETTERS, gpt.tokenizerChoice().kind());
        }
    }

    @Test
    void theArchitectureAndMetadataAreChecked() throws IOException {
        refused(tiny().string("general.architecture", "llama"), "general.architecture is 'llama'; jgpt runs "
                + "llama.cpp's 'gpt2' architecture only");
        TinyGguf noLayers = tiny();
        noLayers.metadata.remove("gpt2.block_count");
        refused(noLayers, "metadata key 'gpt2.block_count' is missing");
        refused(tiny().string("gpt2.context_length", "128"), "metadata key 'gpt2.context_length' is STRING '128', "
                + "not an integer");
        refused(tiny().u32("gpt2.feed_forward_length", 100), "gpt2.feed_forward_length is 100, but GPT-2's MLP is "
                + "4 × gpt2.embedding_length = 128");
        refused(tiny().u32("gpt2.block_count", 5000), "metadata key 'gpt2.block_count' is 5000, outside 1..1024");
        refused(tiny().u32("gpt2.attention.head_count", 5), "the gpt2.* metadata gives config: n_embd 32 is not "
                + "divisible by n_head 5");
        refused(tiny().f32("gpt2.attention.layer_norm_epsilon", -1), "layer_norm_epsilon must be a positive number");
    }

    @Test
    void shapesAndTensorsAreChecked() throws IOException {
        TinyGguf wrong = tiny().random("blk.1.attn_qkv.weight", DType.F32, new SplittableRandom(1), E, 2 * E);
        refused(wrong, "tensor 'blk.1.attn_qkv.weight' has dims [32, 64] but the metadata needs [32, 96] "
                + "(innermost first)");
        TinyGguf positions = tiny().random("position_embd.weight", DType.F32, new SplittableRandom(1), E, P + 1);
        refused(positions, "tensor 'position_embd.weight' has dims [32, 8] but the metadata needs [32, 7]");
        TinyGguf missing = tiny();
        missing.tensors.remove("blk.0.ffn_down.weight");
        refused(missing, "missing tensor 'blk.0.ffn_down.weight' [128, 32]");
        TinyGguf noEmbedding = tiny();
        noEmbedding.tensors.remove("token_embd.weight");
        refused(noEmbedding, "missing tensor 'token_embd.weight'");
        TinyGguf extra = tiny().random("blk.2.attn_qkv.weight", DType.F32, new SplittableRandom(1), E, 3 * E);
        refused(extra, "tensor 'blk.2.attn_qkv.weight' has no place in a model of gpt2.block_count 2");
        refused(tiny().random("rope_freqs.weight", DType.F32, new SplittableRandom(1), 4), "tensor "
                + "'rope_freqs.weight' has no place");
    }

    @Test
    void nonFiniteWeightsAreRefusedInEveryDtype() throws IOException {
        float[] v = new float[E * 4 * E];
        v[77] = Float.NaN;
        refused(tiny().tensor("blk.0.ffn_up.weight", DType.F32, v, E, 4 * E), "tensor 'blk.0.ffn_up.weight' holds "
                + "NaN at flat index 77; weights must be finite numbers");
        v[77] = 1e6f; // beyond F16's range: stored as +inf
        refused(tiny().tensor("blk.0.ffn_up.weight", DType.F16, v, E, 4 * E), "holds Infinity at flat index 77");
        v[77] = Float.NEGATIVE_INFINITY;
        refused(tiny().tensor("blk.0.ffn_up.weight", DType.BF16, v, E, 4 * E), "holds -Infinity at flat index 77");
        TinyGguf q8 = tiny().tensor("blk.1.attn_output.weight", DType.Q8_0, new float[E * E], E, E);
        byte[] data = q8.tensors.get("blk.1.attn_output.weight").data();
        data[34 * 3] = 0x00;
        data[34 * 3 + 1] = 0x7e; // block 3's scale: an F16 NaN
        refused(q8, "tensor 'blk.1.attn_output.weight' holds a block scale of NaN (block 3, elements from flat "
                + "index 96)");
        float[] bias = new float[E];
        bias[5] = Float.POSITIVE_INFINITY;
        refused(tiny().tensor("output_norm.bias", DType.F32, bias, E), "tensor 'output_norm.bias' holds Infinity");
        assertEquals(0x7c00, Quantize.floatToHalf(1e6f) & 0xffff);
    }

    @Test
    void weightsAlreadyHandedOverAreReleasedWhenALaterOneFails() throws IOException {
        float[] v = new float[E];
        v[0] = Float.NaN;
        TinyGguf g = tiny().tensor("output_norm.weight", DType.F32, v, E);
        RecordingBackend backend = new RecordingBackend();
        assertThrows(ModelLoadException.class, () -> Gpt.load(g.write(file()), backend));
        assertEquals(backend.received.size(), backend.released);
        assertTrue(backend.released > 20);
    }

    @Test
    void aFileThatIsNotGgufNorAFolderIsRefusedMentioningGguf() throws IOException {
        Path f = Files.writeString(tmp.resolve("notes.txt"), "hello");
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> Gpt.load(f, new RecordingBackend()));
        assertTrue(e.getMessage().contains("is a file, not a model folder") && e.getMessage().contains(".gguf"),
                e.getMessage());
        ModelLoadException missing = assertThrows(ModelLoadException.class,
                () -> Gpt.load(tmp.resolve("nope.gguf"), new RecordingBackend()));
        assertEquals("model file " + tmp.resolve("nope.gguf") + " does not exist", missing.getMessage());
    }
}
