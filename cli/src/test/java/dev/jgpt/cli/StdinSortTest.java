package dev.jgpt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.api.Gelu;
import dev.jgpt.model.GptConfig;
import dev.jgpt.model.RandomWeights;
import dev.jgpt.model.io.ModelWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gpt sort} over standard input (issue 12, rows 2, 11, 12): line for line, bad lines reported by number and
 * quoted safely, bounded chunks, and a stop as soon as standard output is closed.
 */
class StdinSortTest {
    @TempDir
    Path tmp;

    @Test
    void validLinesAreAnsweredAndABadOneIsReportedByNumber() {
        CliTest.Run r = CliTest.gptWithStdin("CBABBC\nXYZABC\nCCBAAA\n", "sort");
        assertEquals("ABBBCC\n\nAAABCC\n", r.out(), "output line N answers input line N; the bad line's is empty");
        r.assertOneLineError(3, "line 2", "'X'", "\"XYZABC\"");
    }

    @Test
    void blankLinesGetBlankAnswersAndEveryBadLineIsReported() {
        CliTest.Run r = CliTest.gptWithStdin("CBABBC\r\n\nABC\nCCBAAA\nQ\n", "sort");
        assertEquals("ABBBCC\n\n\nAAABCC\n\n", r.out());
        assertEquals(3, r.code());
        String[] lines = r.err().split("\n");
        assertEquals(2, lines.length, r.err());
        assertTrue(lines[0].startsWith("gpt: line 3: \"ABC\" has 3 letters"), lines[0]);
        assertTrue(lines[1].startsWith("gpt: line 5: 'Q'"), lines[1]);
    }

    @Test
    void aHugeLineIsQuotedShortlyWithItsNumber() {
        String huge = "A".repeat(10 << 20);
        CliTest.Run r = CliTest.gptWithStdin("CBABBC\n" + huge + "\n", "sort");
        assertEquals("ABBBCC\n\n", r.out());
        r.assertOneLineError(3, "line 2", "10485760 characters");
        assertTrue(r.err().length() < 300, "the error quotes at most ~60 characters: " + r.err().length());
    }

    @Test
    void controlCharactersAreEscapedNotSentToTheTerminal() {
        CliTest.Run r = CliTest.gptWithStdin("CB\u001b]0;pwned\u0007A\n", "sort");
        r.assertOneLineError(3, "line 1", "\\e");
        assertFalse(r.err().contains("\u001b") || r.err().contains("\u0007"), r.err());
        byte[] random = new byte[4000];
        new java.util.Random(12).nextBytes(random);
        CliTest.Run noise = CliTest.gptWithStdin(new String(random, StandardCharsets.ISO_8859_1), "sort");
        assertEquals(3, noise.code());
        assertTrue(noise.err().lines().allMatch(l -> l.startsWith("gpt: line ") && l.length() < 300), noise.err());
        assertFalse(noise.err().chars().anyMatch(c -> c < 0x20 && c != '\n'), "no control characters on stderr");
    }

    @Test
    void aFolderAsStandardInputIsInvalidInputNotABug() {
        InputStream dir = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("Is a directory");
            }
        };
        StringWriter err = new StringWriter();
        int code = Main.run(new String[] {"sort"}, dir, new PrintWriter(new StringWriter()), new PrintWriter(err));
        new CliTest.Run(code, "", err.toString()).assertOneLineError(3, "standard input", "is a directory");
        assertFalse(err.toString().contains("internal error"), err.toString());
    }

    /** Standard output that takes {@code capacity} bytes, then fails like a pipe whose reader has gone. */
    static final class ClosedPipe extends OutputStream {
        private final int capacity;
        int written;
        int failedWrites;

        ClosedPipe(int capacity) {
            this.capacity = capacity;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (written + len > capacity) {
                failedWrites++;
                throw new IOException("Broken pipe");
            }
            written += len;
        }
    }

    /** {@code yes CBABBC}: an input that never ends. */
    static InputStream endless(String line) {
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        return new InputStream() {
            long i;

            @Override
            public int read() {
                return bytes[(int) (i++ % bytes.length)];
            }

            @Override
            public int available() {
                return 1 << 16;
            }
        };
    }

    @Test
    void anEndlessInputStopsQuietlyWhenStdoutIsClosed() {
        ClosedPipe pipe = new ClosedPipe(7);
        StringWriter err = new StringWriter();
        int code = assertTimeoutPreemptively(Duration.ofSeconds(60),
                () -> Main.run(new String[] {"sort"}, endless("CBABBC\n"), pipe, new PrintWriter(err)));
        assertEquals(0, code, err.toString());
        assertEquals("", err.toString(), "a closed pipe is not an error to report");
        assertEquals(1, pipe.failedWrites, "nothing more is written once the pipe is closed");
    }

    @Test
    void streamingGenerationStopsWhenStdoutIsClosed() throws IOException {
        GptConfig c = new GptConfig(1, 1, 8, 3, 512, 1e-5f, Gelu.TANH, true);
        Path model = tmp.resolve("long-context");
        ModelWriter.write(model, c, RandomWeights.generate(c, 3, true, 0f), "F32", "");
        ClosedPipe pipe = new ClosedPipe(3);
        StringWriter err = new StringWriter();
        int code = Main.run(new String[] {"generate", "--model", model.toString(), "--prompt", "ABC",
            "--max-new-tokens", "500"}, InputStream.nullInputStream(), pipe, new PrintWriter(err));
        assertEquals(0, code, err.toString());
        assertEquals("", err.toString());
        assertEquals(1, pipe.failedWrites, "generation stops at the first write that fails");
        assertEquals(3, pipe.written, "the prompt fits, the first token does not");
    }
}
