package dev.jgpt.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jgpt.model.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A choice's text is sent in whole characters, and never the start of a stop string. */
class ChoiceTextTest {
    /** Token i is byte i of "aé€b" in UTF-8: a, then é and € split over 2 and 3 tokens, then b. */
    static final byte[] BYTES = "aé€b".getBytes(StandardCharsets.UTF_8);
    static final Tokenizer BYTEWISE = new Tokenizer() {
        @Override
        public int[] encode(String text) {
            throw new UnsupportedOperationException();
        }

        @Override
        public byte[] bytes(int id) {
            return new byte[] {BYTES[id]};
        }
    };

    @Test
    void neverSplitsACharacter() {
        ChoiceText t = new ChoiceText(BYTEWISE, List.of());
        String[] want = {"a", "", "é", "", "", "€", "b"};
        for (int i = 0; i < BYTES.length; i++) {
            assertEquals(want[i], t.push(i), "after token " + i);
        }
        assertEquals("", t.finish(null));
    }

    @Test
    void holdsBackWhatMayStartAStopAndCutsAtIt() {
        Tokenizer letters = new Tokenizer() {
            @Override
            public int[] encode(String text) {
                throw new UnsupportedOperationException();
            }

            @Override
            public byte[] bytes(int id) {
                return new byte[] {(byte) ('A' + id)};
            }
        };
        ChoiceText t = new ChoiceText(letters, List.of("BC", "CAB"));
        assertEquals("", t.push(0)); // A (held: 2 = longest stop − 1)
        assertEquals("", t.push(1)); // AB
        assertEquals("A", t.push(1)); // ABB
        assertEquals("B", t.push(1)); // ABBB: sends the first B
        assertEquals("B", t.last(2, "BC")); // ABBBC ends on BC (at 3): the B before it, and nothing after
    }

    @Test
    void sendsEverythingAtTheEndWithoutAStop() {
        ChoiceText t = new ChoiceText(BYTEWISE, List.of("zzz"));
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < BYTES.length; i++) {
            sb.append(t.push(i));
        }
        sb.append(t.finish(null));
        assertEquals("aé€b", sb.toString());
    }
}
