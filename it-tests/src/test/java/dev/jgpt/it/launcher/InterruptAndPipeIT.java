package dev.jgpt.it.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./gpt} as a new user ran it (issue 12, rows 2, 3, 4): a pipe closed by its reader stops it at once, Ctrl-C
 * leaves no temporary file and no folder it created, and running out of memory is one line naming what to do.
 */
class InterruptAndPipeIT {
    private static Path gpt;

    @TempDir
    Path tmp;

    @BeforeAll
    static void findAndWarmUp() throws Exception {
        gpt = Path.of(System.getProperty("jgpt.root", "."), "gpt").toAbsolutePath().normalize();
        Process warm = start(List.of("bash", gpt.toString(), "--version"), null, null);
        assertTrue(warm.waitFor(300, TimeUnit.SECONDS), "./gpt --version (a first run may build the CLI)");
    }

    private static Process start(List<String> cmd, Path stderr, String heap) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(stderr == null ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.to(
                        stderr.toFile()));
        pb.environment().remove("GPT_BACKEND");
        if (heap != null) {
            pb.environment().put("GPT_HEAP", heap);
        }
        return pb.start();
    }

    private Process gpt(Path stderr, String heap, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("bash", gpt.toString()));
        cmd.addAll(List.of(args));
        return start(cmd, stderr, heap);
    }

    /** Ctrl-C: SIGINT to the JVM the launcher started (a terminal sends it to the whole foreground group). */
    private static void interrupt(Process p) throws Exception {
        List<ProcessHandle> javas = new ArrayList<>();
        for (int i = 0; i < 200 && javas.isEmpty(); i++) {
            p.descendants().filter(h -> h.info().command().map(c -> c.endsWith("java")).orElse(false))
                    .forEach(javas::add);
            Thread.sleep(20);
        }
        assertFalse(javas.isEmpty(), "the launcher's JVM was not found");
        for (ProcessHandle h : javas) {
            new ProcessBuilder("kill", "-INT", Long.toString(h.pid())).inheritIO().start().waitFor();
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("./gpt did not stop within 60 s of SIGINT");
        }
    }

    private static void waitFor(String what, java.util.function.BooleanSupplier condition, Process p)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        while (!condition.getAsBoolean()) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroyForcibly();
                fail(what + " did not happen (the process " + (p.isAlive() ? "is still running" : "ended") + ")");
            }
            Thread.sleep(10);
        }
    }

    private static boolean holdsTemporary(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.anyMatch(f -> f.getFileName().toString().endsWith(".tmp"));
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void anEndlessSortStopsWhenItsReaderCloses() throws Exception {
        long start = System.nanoTime();
        Process p = new ProcessBuilder("bash", "-c", "set -o pipefail; yes CBABBC | timeout 20 bash " + gpt
                + " sort | head -1; echo \"exit ${PIPESTATUS[1]}\"").redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals("ABBBCC\nexit 0\n", out, "one answer, then gpt stops by itself (timeout would exit 124)");
        assertTrue(seconds < 15, "returned after " + seconds + " s");
    }

    @Test
    void ctrlCDuringInitRemovesTheTemporaryFileAndTheFolder() throws Exception {
        Path out = tmp.resolve("gpt2-random");
        Process p = gpt(null, null, "init", "--preset", "gpt2", "--out", out.toString());
        waitFor("a temporary file in " + out, () -> Files.isDirectory(out) && holdsTemporary(out), p);
        interrupt(p);
        assertFalse(Files.exists(out), "the folder init created is gone: " + list(out));
    }

    @Test
    void ctrlCDuringTrainingRemovesTheFolderItCreated() throws Exception {
        Path out = tmp.resolve("new/trained");
        Process p = gpt(null, null, "train-sort", "--iters", "1000000", "--out", out.toString());
        waitFor(out + " to be created", () -> Files.isDirectory(out), p);
        Thread.sleep(500);
        interrupt(p);
        assertFalse(Files.exists(tmp.resolve("new")), "the folders train-sort created are gone: " + list(out));
    }

    @Test
    void runningOutOfMemoryIsOneLineSayingWhatToDo() throws Exception {
        Path err = tmp.resolve("err.txt");
        Path out = tmp.resolve("oom");
        Process p = gpt(err, "64m", "train-sort", "--batch", "2000000000", "--iters", "1", "--out", out.toString());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        String stderr = Files.readString(err);
        assertEquals(1, p.exitValue(), stderr);
        assertEquals(1, stderr.lines().count(), "one line: " + stderr);
        assertTrue(stderr.startsWith("gpt: out of memory") && stderr.contains("GPT_HEAP")
                && stderr.contains("--batch"), stderr);
        assertFalse(stderr.contains("OutOfMemoryError") || stderr.contains("\tat "), stderr);
        assertFalse(Files.exists(out), "the folder made for the failed run is removed");
        Process init = gpt(err, "64m", "init", "--preset", "gpt2", "--out", out.toString());
        assertTrue(init.waitFor(120, TimeUnit.SECONDS));
        String initErr = Files.readString(err);
        assertEquals(1, init.exitValue(), initErr);
        assertTrue(initErr.startsWith("gpt: out of memory") && initErr.lines().count() == 1, initErr);
        assertFalse(Files.exists(out));
    }

    private static String list(Path dir) {
        File[] files = dir.toFile().listFiles();
        return files == null ? "(nothing)" : java.util.Arrays.toString(files);
    }
}
