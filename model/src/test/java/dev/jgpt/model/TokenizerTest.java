package dev.jgpt.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jgpt.api.Gelu;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** GPT-2's BPE, the sort letters, and streaming text that never splits a character. */
class TokenizerTest {
    static final GptConfig GPT2 = new GptConfig(1, 1, 8, 50257, 8, 1e-5f, Gelu.TANH, true);

    @Test
    void gpt2BpeMatchesKnownIds() {
        Tokenizer t = Tokenizer.forModel(GPT2);
        // GPT-2's published ids for "Hello, my name is"
        assertArrayEquals(new int[] {15496, 11, 616, 1438, 318}, t.encode("Hello, my name is"));
        assertEquals("Hello, my name is", t.decode(new int[] {15496, 11, 616, 1438, 318}));
    }

    @Test
    void sortLettersAndUnknownVocabularies() {
        GptConfig sort = new GptConfig(1, 1, 8, 3, 11, 1e-5f, Gelu.TANH, false);
        assertArrayEquals(new int[] {2, 1, 0}, Tokenizer.forModel(sort).encode("CBA"));
        assertEquals("CBA", Tokenizer.forModel(sort).decode(new int[] {2, 1, 0}));
        GptConfig other = new GptConfig(1, 1, 8, 17, 11, 1e-5f, Gelu.TANH, false);
        assertThrows(InvalidInputException.class, () -> Tokenizer.forModel(other));
    }

    @Test
    void streamingHoldsBackPartialCharacters() {
        Tokenizer t = Tokenizer.forModel(GPT2);
        String text = "naïve café 日本語 🙂 ok";
        int[] ids = t.encode(text);
        TextStream stream = new TextStream(t);
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            String piece = stream.push(id);
            assertEquals(-1, piece.indexOf('\uFFFD'), "no broken character in '" + piece + "'");
            sb.append(piece);
        }
        sb.append(stream.flush());
        assertEquals(text, sb.toString());
    }

    @Test
    void completePrefixStopsBeforeAnUnfinishedSequence() {
        byte[] euro = "€".getBytes(StandardCharsets.UTF_8); // 3 bytes
        assertEquals(0, TextStream.completePrefix(new byte[] {euro[0], euro[1]}));
        assertEquals(1, TextStream.completePrefix(new byte[] {'a', euro[0]}));
        assertEquals(4, TextStream.completePrefix(new byte[] {'a', euro[0], euro[1], euro[2]}));
    }
}
