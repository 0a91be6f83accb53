package dev.jgpt.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Stop tokens and stop strings end a sequence of the sort model where they should, with the right reason. */
class StopConditionsTest {
    /** The letters A, B, C as ids 0, 1, 2 (the sort model's vocabulary), written out here for the test. */
    private static final Tokenizer LETTERS = new Tokenizer() {
        @Override
        public int[] encode(String text) {
            return text.chars().map(ch -> ch - 'A').toArray();
        }

        @Override
        public byte[] bytes(int id) {
            return String.valueOf((char) ('A' + id)).getBytes(StandardCharsets.UTF_8);
        }
    };
    /** CBABBC, whose sorted continuation is ABBBCC. */
    private static final int[] PROMPT = {2, 1, 0, 1, 1, 2};
    private static Gpt gpt;

    @BeforeAll
    static void load() {
        gpt = Gpt.load(DefaultModel.folder(), TestSupport.plain());
    }

    @AfterAll
    static void close() {
        gpt.close();
    }

    private static Generation run(GenerateOptions options) {
        return gpt.generator().generate(new int[][] {PROMPT, PROMPT}, options.maxNewTokens(6).topProbabilities(0));
    }

    /** Sequence {@code row}'s tokens after the prompt. */
    private static int[] out(Generation g, int row) {
        return java.util.Arrays.copyOfRange(g.tokens()[row], PROMPT.length, g.tokens()[row].length);
    }

    @Test
    void withoutStopsTheSortRunsToItsLength() {
        Generation g = run(new GenerateOptions().stopStrings(LETTERS, "CA", "AC"));
        assertArrayEquals(new int[] {0, 1, 1, 1, 2, 2}, out(g, 0));
        assertEquals(List.of(FinishReason.LENGTH, FinishReason.LENGTH), g.finishReasons());
    }

    @Test
    void aStopTokenEndsTheSequenceAndIsLeftOut() {
        Generation g = run(new GenerateOptions().stopTokens(1));
        assertArrayEquals(new int[] {0}, out(g, 0));
        assertEquals(FinishReason.STOP, g.finishReasons().get(0));
    }

    @Test
    void aStopStringEndsTheSequenceWithTheTokenThatCompletesIt() {
        Generation g = run(new GenerateOptions().stopStrings(LETTERS, "BBBC", "BB"));
        assertArrayEquals(new int[] {0, 1, 1}, out(g, 1)); // "BB" is complete first, at the third token
        assertEquals(FinishReason.STOP, g.finishReasons().get(1));
        Generation later = run(new GenerateOptions().stopStrings(LETTERS, "BCC"));
        assertArrayEquals(new int[] {0, 1, 1, 1, 2, 2}, out(later, 0));
        assertEquals(FinishReason.STOP, later.finishReasons().get(0)); // at the last token: stop, not length
    }
}
