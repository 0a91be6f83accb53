package dev.jgpt.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.api.Gelu;
import dev.jgpt.model.io.GgufFile;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The byte-level BPE built from the shared GGUF's {@code tokenizer.ggml.tokens} and {@code merges} (GPT-2's) encodes
 * like JTokkit's {@code r50k_base} ({@link Gpt2Tokenizer}) and decodes every id to the same bytes.
 */
class BpeTokenizerTest {
    static BpeTokenizer bpe;
    static final Tokenizer R50K = Gpt2Tokenizer.instance();

    @BeforeAll
    static void build() {
        try (GgufFile f = GgufFile.open(LlamaCppFiles.dir().resolve("gpt2-tiny-f32.gguf"))) {
            GptConfig c = new GptConfig(1, 1, 8, 50257, 8, 1e-5f, Gelu.TANH, true);
            TokenizerChoice choice = TokenizerChoice.of(f.path(), f.metadata(), c);
            assertEquals(TokenizerChoice.Kind.FILE_BPE, choice.kind(), choice.toString());
            bpe = (BpeTokenizer) choice.tokenizer();
        }
    }

    @Test
    void thePromptsOfTheSharedFiles() {
        assertArrayEquals(new int[] {15496, 11, 616, 1438, 318}, bpe.encode("Hello, my name is"));
        assertArrayEquals(new int[] {464, 2068, 7586, 21831, 18045, 625, 262, 16931, 3290, 13},
                bpe.encode("The quick brown fox jumps over the lazy dog."));
        assertEquals(50256, bpe.eos());
        assertEquals(50256, bpe.bos());
    }

    @Test
    void everyIdDecodesToTheSameBytes() {
        assertEquals(50257, bpe.size());
        for (int id = 0; id < bpe.size(); id++) {
            assertArrayEquals(R50K.bytes(id), bpe.bytes(id), "token " + id);
        }
        assertThrows(InvalidInputException.class, () -> bpe.bytes(50257));
    }

    @Test
    void encodesLikeR50kOnVariedText() {
        List<String> texts = texts();
        int tokens = 0;
        for (String t : texts) {
            int[] want = R50K.encode(t);
            assertArrayEquals(want, bpe.encode(t), () -> "text " + Words.quote(t));
            tokens += want.length;
        }
        System.err.println("[bpe] " + texts.size() + " texts, " + tokens + " tokens: identical to r50k_base");
    }

    @Test
    void aLongRunWithoutSpacesIsQuick() {
        String run = "ab".repeat(50_000) + "🙂".repeat(5_000);
        long t0 = System.nanoTime();
        int[] ids = bpe.encode(run);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertArrayEquals(R50K.encode(run), ids);
        assertTrue(ms < 5_000, "encoding one 110,000-character piece took " + ms + " ms");
    }

    @Test
    void malformedArraysAreRefusedInOneLine() {
        String[] tokens = new String[256];
        for (int b = 0; b < 256; b++) {
            tokens[b] = String.valueOf(ByteLevel.toChar(b));
        }
        String[] fewer = Arrays.copyOf(tokens, 255);
        assertTrue(assertThrows(ModelLoadException.class, () -> new BpeTokenizer("x.gguf", fewer, new String[0], -1,
                -1)).getMessage().contains("no token for byte 255"));
        assertTrue(assertThrows(ModelLoadException.class, () -> new BpeTokenizer("x.gguf", tokens,
                new String[] {"a b"}, -1, -1)).getMessage().contains("merge 0 'a b' names a result"));
        assertTrue(assertThrows(ModelLoadException.class, () -> new BpeTokenizer("x.gguf", tokens,
                new String[] {"ab"}, -1, -1)).getMessage().contains("not two tokens"));
        assertTrue(assertThrows(ModelLoadException.class, () -> new BpeTokenizer("x.gguf", tokens,
                new String[0], 256, -1)).getMessage().contains("bos token id 256"));
        BpeTokenizer bytesOnly = new BpeTokenizer("x.gguf", tokens, new String[0], -1, -1);
        assertArrayEquals(new int[] {'h', 'i'}, bytesOnly.encode("hi")); // token b is byte b here
    }

    /** A few hundred texts: hand-picked corners, then seeded random mixtures of the fragments below. */
    static List<String> texts() {
        List<String> t = new ArrayList<>(List.of("", " ", "  ", "\n", "\n\n", " \n ", "\t", "a", " a", "a ",
                "Hello world", "Hello  world", "Hello   world  ", "hello\nworld\n", "line one\r\nline two",
                "I'm you're he's we've they'll I'd can't", "I'M YOU'RE HE'S", "'s's't 're", "don''t", "'",
                "123", "1234567890", " 42", "3.14159", "1,000,000", "-7", "x2y3", "v1.2.3-beta",
                "naïve café résumé", "Ελληνικά", "Русский текст", "日本語のテキスト", "中文文本", "한국어",
                "العربية", "עברית", "हिन्दी", "ไทย", "👍", "🙂🙂🙂", "👨‍👩‍👧‍👦", "👋🏽", "🇺🇸🇫🇷",
                "e\u0301", "\u00a0non-breaking\u00a0space", "ideographic\u3000space", "zero\u200bwidth",
                "tabs\tand\tspaces \t mixed", "    indented code();", "if (x) {\n    return y;\n}",
                "<|endoftext|>", "<|endoftext|>Hello", "http://example.com/path?q=1&r=2", "email@example.com",
                "$$$ %%% ^^^", "...", "?!?!", "—dash–en", "«quotes» “curly” ‘single’", "~`@#",
                "\u0000nul", "\u001fcontrol", "\u007fdel", "ÿþý", "\ud83d\ude00 grinning", "The year 2024!",
                "    ", "a\n\n\nb", "  leading", "trailing  ", "MiXeD CaSe WoRdS", "αβγ123δεζ", "x" + "y".repeat(200)));
        String[] fragments = {"the", "The", " quick", "brown", " fox", "'s", "'t", "'re", "'ve", "'m", "'ll", "'d",
            "'S", "'LL", " ", "  ", "   ", "\n", "\n\n", "\t", "\r\n", "0", "7", "42", "2024", "3.5", "1e-5", ",", ".",
            "!", "?", ";", ":", "-", "--", "(", ")", "[", "]", "{", "}", "\"", "'", "`", "/", "\\", "_", "@", "#",
            "é", "ü", "ß", "ñ", "日本", "中", "한", "ру", "ة", "ह", "🙂", "🚀", "👍🏼", "❤️", "🇯🇵", "\u00a0",
            "\u2003", "\u200d", "\u0301", "ﬁ", "Ⅻ", "½", "²", "٣", "१", "𝔘𝔫𝔦", "€", "£", "¥", "©", "™", "…"};
        SplittableRandom rnd = new SplittableRandom(14);
        for (int i = 0; i < 320; i++) {
            StringBuilder sb = new StringBuilder();
            int n = 1 + rnd.nextInt(12);
            for (int k = 0; k < n; k++) {
                sb.append(fragments[rnd.nextInt(fragments.length)]);
            }
            t.add(sb.toString());
        }
        return t;
    }
}
