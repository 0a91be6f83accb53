package dev.jgpt.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.jgpt.api.Gelu;
import dev.jgpt.model.Gpt2Vocabulary;
import dev.jgpt.model.GptConfig;
import dev.jgpt.model.ModelLoadException;
import dev.jgpt.model.TokenizerChoice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GPT-2's vocabulary in GGUF form equals that of llama.cpp's {@code gpt2-tiny-f32.gguf}, token for token and merge
 * for merge, whether derived from JTokkit's r50k_base or read from a folder's {@code vocab.json} + {@code merges.txt}
 * or {@code tokenizer.json}.
 */
class Gpt2VocabularyTest {
    static List<String> tokens;
    static List<String> merges;
    static int[] types;

    @TempDir
    Path tmp;

    @BeforeAll
    static void reference() throws IOException {
        Path f = GgufExportTest.REF.resolve("gpt2-tiny-f32.gguf");
        assumeTrue(Files.isRegularFile(f), f + " is absent");
        GgufTestFile g = GgufTestFile.read(f);
        tokens = g.strings("tokenizer.ggml.tokens");
        merges = g.strings("tokenizer.ggml.merges");
        @SuppressWarnings("unchecked")
        List<Long> t = (List<Long>) g.metadata.get("tokenizer.ggml.token_type");
        types = t.stream().mapToInt(Long::intValue).toArray();
    }

    static void assertReference(Gpt2Vocabulary v) {
        assertEquals(50257, v.tokens().size());
        assertEquals(tokens, v.tokens(), "tokens");
        assertEquals(merges.size(), v.merges().size(), "merge count");
        assertEquals(merges, v.merges(), "merges");
        assertArrayEquals(types, v.tokenTypes(), "token types");
        assertEquals(50256, v.endOfText());
    }

    @Test
    void derivedFromR50kBase() {
        Gpt2Vocabulary v = Gpt2Vocabulary.r50kBase();
        assertReference(v);
        assertEquals("Ġ t", v.merges().get(0));
        assertEquals("Ċ", v.tokens().get(198), "newline, byte 10, is U+010A");
    }

    private static GptConfig gpt2(int vocab) {
        return new GptConfig(1, 1, 8, vocab, 16, 1e-5f, Gelu.TANH, true);
    }

    private Gpt2Vocabulary fromFolder(Path dir, GptConfig c) {
        TokenizerChoice choice = TokenizerChoice.of(dir, c);
        Gpt2Vocabulary v = Gpt2Vocabulary.forModel(dir, c, choice);
        assertTrue(v.source().contains(dir.toString()), v.source());
        return v;
    }

    @Test
    void readFromVocabJsonAndMergesTxt() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("files"));
        JsonObject vocab = new JsonObject();
        for (int i = 0; i < tokens.size(); i++) {
            vocab.addProperty(tokens.get(i), i);
        }
        Files.writeString(dir.resolve("vocab.json"), vocab.toString());
        List<String> lines = new ArrayList<>();
        lines.add("#version: 0.2");
        lines.addAll(merges);
        Files.write(dir.resolve("merges.txt"), lines);
        assertReference(fromFolder(dir, gpt2(50257)));
    }

    @Test
    void readFromTokenizerJson() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("json"));
        JsonObject vocab = new JsonObject();
        for (int i = 0; i < tokens.size(); i++) {
            vocab.addProperty(tokens.get(i), i);
        }
        JsonArray m = new JsonArray();
        for (int i = 0; i < merges.size(); i++) { // both forms Hugging Face writes: "a b" and ["a", "b"]
            if (i % 2 == 0) {
                m.add(merges.get(i));
            } else {
                JsonArray pair = new JsonArray();
                for (String part : merges.get(i).split(" ")) {
                    pair.add(part);
                }
                m.add(pair);
            }
        }
        JsonObject model = new JsonObject();
        model.addProperty("type", "BPE");
        model.add("vocab", vocab);
        model.add("merges", m);
        JsonObject eot = new JsonObject();
        eot.addProperty("id", 50256);
        eot.addProperty("content", "<|endoftext|>");
        eot.addProperty("special", true);
        JsonArray added = new JsonArray();
        added.add(eot);
        JsonObject root = new JsonObject();
        root.add("added_tokens", added);
        root.add("model", model);
        Files.writeString(dir.resolve("tokenizer.json"), root.toString());
        assertReference(fromFolder(dir, gpt2(50257)));
    }

    @Test
    void idsTheFilesLeaveOutArePaddingAndIdsOutsideTheVocabularyAreRefused() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("small"));
        Files.writeString(dir.resolve("vocab.json"), "{\"a\": 0, \"b\": 2, \"<|endoftext|>\": 3}");
        Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\na b\n");
        GptConfig c = gpt2(4).withTokenizerClass(null);
        Gpt2Vocabulary v = Gpt2Vocabulary.forModel(dir, c, TokenizerChoice.of(gpt2(50257)));
        assertEquals(List.of("a", "[PAD1]", "b", "<|endoftext|>"), v.tokens());
        assertArrayEquals(new int[] {1, 5, 1, 3}, v.tokenTypes());
        assertEquals(List.of("a b"), v.merges());
        ModelLoadException e = assertThrows(ModelLoadException.class,
                () -> Gpt2Vocabulary.forModel(dir, gpt2(3), TokenizerChoice.of(gpt2(50257))));
        assertTrue(e.getMessage().contains("token \"<|endoftext|>\" has id 3, outside the model's vocab_size 3"),
                e.getMessage());
        Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\na b c\n");
        e = assertThrows(ModelLoadException.class,
                () -> Gpt2Vocabulary.forModel(dir, gpt2(4), TokenizerChoice.of(gpt2(50257))));
        assertTrue(e.getMessage().contains("merges.txt: line 2 \"a b c\" is not two tokens"), e.getMessage());
    }
}
