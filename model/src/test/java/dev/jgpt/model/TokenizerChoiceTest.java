package dev.jgpt.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.api.Gelu;
import dev.jgpt.model.TokenizerChoice.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tokenizer follows what the model folder declares; the vocabulary size decides only when nothing is declared. */
class TokenizerChoiceTest {
    private static final int[] HELLO = {15496, 11, 616, 1438, 318}; // GPT-2's ids for "Hello, my name is"

    @TempDir
    Path tmp;

    private static GptConfig config(int vocab, String tokenizerClass) {
        return new GptConfig(1, 1, 8, vocab, 16, 1e-5f, Gelu.TANH, true, tokenizerClass);
    }

    /** A folder holding {@code config}'s config.json (read back, as a load does) and the named empty files. */
    private GptConfig folder(String name, GptConfig config, String... files) throws IOException {
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), config.toJson());
        for (String f : files) {
            Files.writeString(dir.resolve(f), "{}");
        }
        return GptConfig.read(dir.resolve("config.json"));
    }

    private TokenizerChoice choose(String name, GptConfig config, String... files) throws IOException {
        return TokenizerChoice.of(tmp.resolve(name), folder(name, config, files));
    }

    @Test
    void gpt2FilesDeclareTheBpe() throws IOException {
        TokenizerChoice c = choose("files", config(50257, null), "vocab.json", "merges.txt");
        assertEquals(Kind.GPT2_BPE, c.kind());
        assertTrue(c.source().startsWith("vocab.json and merges.txt"), c.source());
        assertArrayEquals(HELLO, c.tokenizer().encode("Hello, my name is"));
        TokenizerChoice json = choose("json", config(50257, null), "tokenizer.json");
        assertEquals(Kind.GPT2_BPE, json.kind());
        assertTrue(json.source().startsWith("tokenizer.json"), json.source());
    }

    @Test
    void theSortModelDeclaresItsLetters() throws IOException {
        TokenizerChoice c = choose("sort", config(3, TokenizerChoice.SORT_CLASS));
        assertEquals(Kind.SORT_LETTERS, c.kind());
        assertTrue(c.source().contains("tokenizer_class"), c.source());
        assertArrayEquals(new int[] {2, 1, 0}, c.tokenizer().encode("CBA"));
        // the explicit class wins over files in the folder
        assertEquals(Kind.SORT_LETTERS, choose("sortfiles", config(3, TokenizerChoice.SORT_CLASS), "vocab.json",
                "merges.txt").kind());
        assertEquals(Kind.GPT2_BPE, choose("hf", config(50257, "GPT2TokenizerFast")).kind());
    }

    @Test
    void theEmbeddedModelAndThePresetsDeclareTheirs() {
        assertEquals(TokenizerChoice.SORT_CLASS, GptConfig.read(DefaultModel.folder().resolve("config.json"))
                .tokenizerClass);
        assertEquals(Kind.SORT_LETTERS, TokenizerChoice.of(GptPreset.NANO_SORT.config()).kind());
        assertEquals(Kind.GPT2_BPE, TokenizerChoice.of(GptPreset.GPT2_XL.config()).kind());
    }

    @Test
    void aDeclarationTheVocabularyContradictsIsRefused() throws IOException {
        ModelLoadException files = assertThrows(ModelLoadException.class,
                () -> choose("bpe3", config(3, null), "vocab.json", "merges.txt"));
        String m = files.getMessage();
        assertTrue(m.contains("vocab.json and merges.txt") && m.contains("50257") && m.contains("vocab_size 3")
                && m.contains("remove those files"), m);
        ModelLoadException declared = assertThrows(ModelLoadException.class,
                () -> choose("sort50257", config(50257, TokenizerChoice.SORT_CLASS)));
        m = declared.getMessage();
        assertTrue(m.contains("\"SortTokenizer\"") && m.contains("(3 tokens)") && m.contains("vocab_size 50257"), m);
        for (String message : new String[] {files.getMessage(), declared.getMessage()}) {
            assertFalse(message.contains("\n") || message.contains("Exception"), message);
        }
        assertThrows(ModelLoadException.class, () -> TokenizerChoice.of(config(7, TokenizerChoice.GPT2_CLASS)));
    }

    @Test
    void anUnknownDeclarationIsNotOverriddenByTheVocabularySize() throws IOException {
        TokenizerChoice c = choose("llama", config(50257, "LlamaTokenizer"), "tokenizer.json");
        assertNull(c.kind());
        InvalidInputException e = assertThrows(InvalidInputException.class, c::tokenizer);
        assertTrue(e.getMessage().contains("\"LlamaTokenizer\"") && e.getMessage().contains("--tokens"),
                e.getMessage());
    }

    @Test
    void withoutADeclarationTheVocabularySizeDecides() throws IOException {
        TokenizerChoice bpe = choose("plain50257", config(50257, null), "merges.txt"); // merges.txt alone: no
        assertEquals(Kind.GPT2_BPE, bpe.kind());
        assertTrue(bpe.source().contains("no declaration"), bpe.source());
        assertEquals(Kind.SORT_LETTERS, choose("plain3", config(3, null)).kind());
        TokenizerChoice none = choose("plain17", config(17, null));
        assertNull(none.kind());
        assertTrue(assertThrows(InvalidInputException.class, none::tokenizer).getMessage().contains("17"));
    }

    @Test
    void aTokenizerClassThatIsNotAStringIsAConfigError() throws IOException {
        Path dir = tmp.resolve("number");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), config(3, null).toJson().replace("{",
                "{\n  \"tokenizer_class\": 7,"));
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> GptConfig.read(dir.resolve(
                "config.json")));
        assertTrue(e.getMessage().contains("tokenizer_class"), e.getMessage());
    }
}
