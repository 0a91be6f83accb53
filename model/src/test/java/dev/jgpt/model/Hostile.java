package dev.jgpt.model;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Runs a load that must fail: within 5 s, as one {@link ModelLoadException} line naming the file and the problem, and
 * allocating at most the file's size and 1 MiB (a reader window, messages, a few maps) — never what a length field in
 * the file claims.
 */
public final class Hostile {
    static final long SLACK = 1 << 20;

    private Hostile() {
    }

    /** Writes {@code bytes} to {@code file}, runs {@code load} on it and checks the refusal; returns its message. */
    public static String refused(Path file, byte[] bytes, LoadAction load, String... expected) throws IOException {
        Files.write(file, bytes);
        String message = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            long before = allocated();
            ModelLoadException e = assertThrows(ModelLoadException.class, () -> load.run(file));
            long used = allocated() - before;
            assertTrue(used < bytes.length + SLACK, "refusing a " + bytes.length + "-byte file allocated " + used
                    + " bytes: " + e.getMessage());
            return e.getMessage();
        });
        assertFalse(message.contains("\n"), "one line: " + message);
        assertTrue(message.startsWith(file + ":"), "names the file first: " + message);
        for (String part : expected) {
            assertTrue(message.contains(part), "'" + part + "' in: " + message);
        }
        return message;
    }

    /** What is run on the file. */
    public interface LoadAction {
        void run(Path file) throws Throwable;
    }

    static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }
}
