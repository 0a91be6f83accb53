package dev.jgpt.it.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The {@code ./gpt} launcher as a user runs it, in a child process: it adds the Vector API module and drops the one
 * warning line the JVM prints for it, so stdout holds only results and stderr only gpt's own one-line errors; exit
 * codes pass through; stdin reaches the program.
 */
class LauncherIT {
    private static final long TIMEOUT_SECONDS = 300; // a first run may build the CLI
    private static Path gpt;

    /**
     * Finds the launcher and runs it once, so that a rebuild it decides on (it prints "gpt: building the CLI ..." on
     * stderr when a source or pom is newer than the jar) happens before the runs whose stderr is checked.
     */
    @BeforeAll
    static void findAndWarmUp() throws Exception {
        String root = System.getProperty("jgpt.root", ".");
        gpt = Path.of(root, "gpt").toAbsolutePath().normalize();
        assertTrue(Files.isRegularFile(gpt), "the launcher is missing: " + gpt);
        Run warm = gpt(null, "--version");
        assertEquals(0, warm.exit(), "./gpt --version: " + warm.err());
    }

    /** stdout, stderr and exit code of one run. */
    private record Run(int exit, String out, String err) {
    }

    private static Run gpt(String stdin, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", gpt.toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("gpt-out", ".txt");
        Path err = Files.createTempFile("gpt-err", ".txt");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().remove("GPT_BACKEND");
            Process p = pb.start();
            if (stdin != null) {
                p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            p.getOutputStream().close();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("./gpt " + String.join(" ", args) + " did not finish in " + TIMEOUT_SECONDS + " s");
            }
            return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    @Test
    void sortPrintsOnlyTheAnswerAndNothingOnStderr() throws Exception {
        Run r = gpt(null, "sort", "CBABBC");
        assertEquals("", r.err(), "stderr of a successful run (the JVM's incubator warning must be dropped)");
        assertEquals("ABBBCC\n", r.out());
        assertEquals(0, r.exit());
    }

    @Test
    void badInputIsOneLineOnStderrWithItsExitCode() throws Exception {
        Run r = gpt(null, "sort", "CBAXBC");
        assertEquals("gpt: 'X' at position 4 of \"CBAXBC\" is not in the vocabulary: use only A, B and C\n", r.err());
        assertEquals("", r.out());
        assertEquals(3, r.exit(), "exit code of an input outside the vocabulary");
    }

    @Test
    void stdinReachesTheProgram() throws Exception {
        Run r = gpt("CBABBC\nCCBAAA\n", "sort");
        assertEquals("ABBBCC\nAAABCC\n", r.out());
        assertEquals("", r.err());
        assertEquals(0, r.exit());
    }

    @Test
    void theVectorBackendIsAvailableAndSelectedByRank() throws Exception {
        Run r = gpt(null, "backends");
        assertEquals(0, r.exit(), r.err());
        String vectorRow = r.out().lines().filter(l -> l.startsWith("vector ")).findFirst().orElse("");
        assertTrue(vectorRow.contains(" yes "), "vector must be available under ./gpt:\n" + r.out());
        assertTrue(r.out().contains("selected: vector (by best rank)"), r.out());
        assertEquals("", r.err());
    }

    @Test
    void anUnknownBackendExitsFiveNamingTheAvailableOnes() throws Exception {
        Run r = gpt(null, "sort", "CBABBC", "--backend", "nope");
        assertEquals(5, r.exit());
        assertEquals("gpt: unknown backend 'nope'; available: vector, plain, nd4j\n", r.err());
    }
}
