package dev.jgpt.model.io;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a run must not leave behind: the temporary files it is writing and the folders it created for its output.
 * Temporary files are removed when they are moved into place or their write fails; if the process is interrupted
 * (Ctrl-C, SIGTERM), a shutdown hook removes the temporary files still open and then every folder this run created
 * that is still empty. {@link #rollback()} does the same after a failed command, {@link #commit()} forgets both lists
 * after a successful one. Folders are only ever removed when empty, so nothing else is deleted.
 */
public final class Cleanup {
    private static final Object LOCK = new Object();
    private static final Set<Path> TEMPS = new LinkedHashSet<>();
    private static final Deque<Path> CREATED = new ArrayDeque<>(); // deepest last
    private static boolean hooked;
    private static boolean stopping;

    private Cleanup() {
    }

    /** Something done under the lock that the shutdown hook takes, so it happens wholly or not at all. */
    @FunctionalInterface
    public interface Action {
        void run() throws IOException;
    }

    /**
     * Creates {@code dir} and its missing parents, remembering the ones it created.
     *
     * @throws IOException as {@link Files#createDirectories}, or when the process is shutting down
     */
    public static void createDirectories(Path dir) throws IOException {
        Path abs = dir.toAbsolutePath().normalize();
        synchronized (LOCK) {
            checkRunning();
            List<Path> missing = new ArrayList<>();
            for (Path p = abs; p != null && !Files.exists(p) && !Files.isSymbolicLink(p); p = p.getParent()) {
                missing.add(0, p);
            }
            Files.createDirectories(abs);
            CREATED.addAll(missing);
            hook();
        }
    }

    /** A new empty temporary file in {@code dir}, removed again if the run is interrupted or fails. */
    public static Path createTempFile(Path dir, String prefix, String suffix) throws IOException {
        synchronized (LOCK) {
            checkRunning();
            Path tmp = Files.createTempFile(dir, prefix, suffix);
            TEMPS.add(tmp);
            hook();
            return tmp;
        }
    }

    /** Deletes a temporary file (if it is still there) and forgets it. */
    public static void deleteTemp(Path tmp) throws IOException {
        synchronized (LOCK) {
            TEMPS.remove(tmp);
            Files.deleteIfExists(tmp);
        }
    }

    /** Runs {@code action} (moving files into place) so that an interrupt comes before or after it, not during. */
    public static void atomically(Action action) throws IOException {
        synchronized (LOCK) {
            checkRunning();
            action.run();
        }
    }

    /** Forgets a temporary file that has been moved into place. */
    static void moved(Path tmp) {
        synchronized (LOCK) {
            TEMPS.remove(tmp);
        }
    }

    /** After a successful run: what was created stays. */
    public static void commit() {
        synchronized (LOCK) {
            TEMPS.clear();
            CREATED.clear();
        }
    }

    /** After a failed run: removes the temporary files, then the created folders that are empty. */
    public static void rollback() {
        synchronized (LOCK) {
            removeAll();
        }
    }

    private static void removeAll() {
        for (Path tmp : TEMPS) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException | RuntimeException ignored) {
                // best effort: the process is failing or ending
            }
        }
        TEMPS.clear();
        while (!CREATED.isEmpty()) {
            Path dir = CREATED.removeLast();
            try {
                if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                    Files.delete(dir);
                }
            } catch (DirectoryNotEmptyException kept) {
                // it holds something that is not ours
            } catch (IOException | RuntimeException ignored) {
                // best effort
            }
        }
    }

    private static void checkRunning() throws IOException {
        if (stopping) {
            throw new IOException("interrupted");
        }
    }

    private static void hook() {
        if (!hooked) {
            hooked = true;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                synchronized (LOCK) {
                    stopping = true;
                    removeAll();
                }
            }, "gpt-cleanup"));
        }
    }
}
