package dev.jgpt.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Results print as what they hold, not as object ids (issue 12). */
class ToStringTest {
    @Test
    void generationAndStepPrintTheirContents() {
        Step s = new Step(2, 0.75, new int[] {2, 0}, new double[] {0.75, 0.2});
        assertEquals("token 2 (p = 0.7500; top 2:0.7500, 0:0.2000)", s.toString());
        Generation g = new Generation(new int[][] {{2, 1, 0}}, List.of(List.of(s)), List.of(FinishReason.LENGTH));
        assertEquals("Generation of 1 sequence: [[2, 1, 0]] (length)", g.toString());
    }

    @Test
    void countsTakeTheSingularForOne() {
        assertEquals("1 letter", Words.count(1, "letter"));
        assertEquals("0 tokens", Words.count(0, "token"));
        assertEquals("\"ab\\e]0;x\\x07\"", Words.quote("ab\u001b]0;x\u0007"));
        assertEquals("\"" + "a".repeat(60) + "…\"", Words.quote("a".repeat(1000)));
    }

    @Test
    void javaClassNamesAreLeftOutOfMessages() {
        assertEquals("no jnind4j in java.library.path",
                Words.withoutClassNames("UnsatisfiedLinkError: no jnind4j in java.library.path"));
        assertEquals("cannot read x: End of input", Words.withoutClassNames("cannot read x: java.io.EOFException: End "
                + "of input"));
        assertEquals("(no message)", Words.withoutClassNames("NullPointerException"));
    }
}
