package dev.jgpt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands end to end in one JVM: output, exit codes, and one-line errors without stack traces. */
class CliTest {
    @TempDir
    static Path tmp;
    static Path nano;

    /** What one run printed and returned. */
    record Run(int code, String out, String err) {
        void assertOneLineError(int expectedCode) {
            assertOneLineError(expectedCode, new String[0]);
        }

        void assertOneLineError(int expectedCode, String... fragments) {
            assertEquals(expectedCode, code, "exit code; stderr: " + err);
            assertEquals(1, err.lines().count(), "one line on stderr: " + err);
            assertTrue(err.startsWith("gpt: "), err);
            assertFalse(err.contains("\tat "), "no stack trace: " + err);
            for (String f : fragments) {
                assertTrue(err.contains(f), "stderr names '" + f + "': " + err);
            }
        }
    }

    static Run gptWithStdin(String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    static Run gpt(String... args) {
        return gptWithStdin("", args);
    }

    @BeforeAll
    static void importNano() {
        Path ref = Path.of(System.getProperty("jgpt.root", ".")).resolve("../shared/reference/llm-viz")
                .toAbsolutePath().normalize();
        boolean present = Files.isRegularFile(ref.resolve("gpt-nano-sort-model.json"));
        if (!present) {
            System.err.println("SKIPPED: " + ref + " is absent; the CLI tests need ../shared beside the repository");
        }
        assumeTrue(present, ref + " is absent");
        nano = tmp.resolve("nano");
        Run r = gpt("import-llmviz", ref.resolve("gpt-nano-sort-model.json").toString(), "--out", nano.toString());
        assertEquals(0, r.code(), r.err());
    }

    String model() {
        return nano.toString();
    }

    @Test
    void sortsArgumentsAndStdin() {
        Run r = gpt("sort", "CBABBC", "ccbaaa", "--model", model());
        assertEquals(0, r.code(), r.err());
        assertEquals("ABBBCC\nAAABCC\n", r.out());
        Run piped = gptWithStdin("CBABBC\n\nCCBAAA\n", "sort", "--model", model());
        assertEquals(0, piped.code(), piped.err());
        assertEquals("ABBBCC\n\nAAABCC\n", piped.out(), "one output line per input line, blank for blank");
    }

    @Test
    void withoutModelTheEmbeddedDefaultSorts() {
        Run r = gpt("sort", "CBABBC");
        assertEquals(0, r.code(), r.err());
        assertEquals("ABBBCC\n", r.out());
    }

    @Test
    void generatesIds() {
        Run r = gpt("generate", "--model", model(), "--tokens", "2,1,0,1,1,2", "--max-new-tokens", "6",
                "--format", "ids");
        assertEquals(0, r.code(), r.err());
        assertEquals("2,1,0,1,1,2,0,1,1,1,2,2\n", r.out());
    }

    @Test
    void invalidInputExits3() {
        gpt("sort", "CBAXBC", "--model", model()).assertOneLineError(3, "'X'", "A, B and C");
        gpt("sort", "", "--model", model()).assertOneLineError(3, "empty");
        gpt("sort", "CBABBCA", "--model", model()).assertOneLineError(3, "exactly 6");
        gptWithStdin("CBABBC\nCBQ\n", "sort", "--model", model()).assertOneLineError(3, "'Q'");
        gpt("generate", "--model", model(), "--tokens", "2,7", "--max-new-tokens", "1")
                .assertOneLineError(3, "token id 7");
        gpt("generate", "--model", model(), "--tokens", "2,x", "--max-new-tokens", "1").assertOneLineError(3, "\"x\"");
        gpt("generate", "--model", model(), "--tokens", "2,1", "--max-new-tokens", "-1")
                .assertOneLineError(3, "-1");
        gpt("generate", "--model", model(), "--tokens", "0,1,2,0,1,2", "--max-new-tokens", "7")
                .assertOneLineError(3, "at most 6");
    }

    @Test
    void modelProblemsExit4() throws Exception {
        gpt("sort", "CBABBC", "--model", tmp.resolve("missing").toString()).assertOneLineError(4, "does not exist");
        Path broken = tmp.resolve("broken");
        Files.createDirectories(broken);
        Files.copy(nano.resolve("config.json"), broken.resolve("config.json"));
        byte[] all = Files.readAllBytes(nano.resolve("model.safetensors"));
        Files.write(broken.resolve("model.safetensors"), java.util.Arrays.copyOf(all, all.length - 100));
        gpt("sort", "CBABBC", "--model", broken.toString()).assertOneLineError(4, "model.safetensors");
    }

    @Test
    void backendProblemsExit5AndUsageProblemsExit2() {
        gpt("sort", "CBABBC", "--backend", "nope", "--model", model()).assertOneLineError(5, "nope", "plain");
        gpt("sort", "CBABBC", "--bogus").assertOneLineError(2, "--bogus");
        gpt("generate", "--model", model()).assertOneLineError(2, "--tokens");
        gpt().assertOneLineError(2, "missing command");
    }

    @Test
    void outputProblemsExit6() throws Exception {
        Path file = tmp.resolve("a-file");
        Files.writeString(file, "x");
        Path ref = Path.of(System.getProperty("jgpt.root", ".")).resolve("../shared/reference/llm-viz")
                .toAbsolutePath().normalize();
        gpt("import-llmviz", ref.resolve("gpt-nano-sort-model.json").toString(), "--out", file.toString())
                .assertOneLineError(6, "a-file");
    }

    @Test
    void backendsListsPlainAndTheSelection() {
        Run r = gpt("backends");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("plain") && r.out().contains("selected: "), r.out());
        Run flagged = gpt("backends", "--backend", "plain");
        assertTrue(flagged.out().contains("selected: plain (by --backend flag)"), flagged.out());
    }

    @Test
    void verboseShowsTheStackTrace() {
        Run r = gpt("sort", "CBABBC", "--verbose", "--model", tmp.resolve("missing").toString());
        assertEquals(4, r.code());
        assertTrue(r.err().contains("\tat "), r.err());
    }
}
