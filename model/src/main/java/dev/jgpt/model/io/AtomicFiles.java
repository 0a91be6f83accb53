package dev.jgpt.model.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes files so that a reader never sees half of one: write to a temporary name in the same folder, then move.
 * A target that is a symbolic link is written through (the file it points to is replaced, the link stays); a target
 * that exists and is not a regular file (a folder, a device such as {@code /dev/null}, a FIFO) is refused before
 * anything is written. Temporary files and created folders are registered with {@link Cleanup}.
 */
public final class AtomicFiles {
    private static final int MAX_LINKS = 40;

    private AtomicFiles() {
    }

    /** Something that writes a file's content to a stream. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Writes {@code target} atomically (the temporary file is removed if anything fails). */
    public static void write(Path target, Content content) throws IOException {
        Map<Path, Content> one = new LinkedHashMap<>();
        one.put(target, content);
        writeAll(one);
    }

    /**
     * Writes several files so that none appears unless all were written: each goes to a temporary name beside its
     * target, and only when every one is complete are they moved into place, in the map's order. On failure every
     * temporary file is removed and no target is touched.
     */
    public static void writeAll(Map<Path, Content> files) throws IOException {
        Map<Path, Path> targets = new LinkedHashMap<>();
        for (Path target : files.keySet()) {
            targets.put(target, regularFileTarget(target));
        }
        Map<Path, Path> temps = new LinkedHashMap<>();
        try {
            for (Map.Entry<Path, Content> f : files.entrySet()) {
                Path target = targets.get(f.getKey());
                Path dir = target.toAbsolutePath().getParent();
                Cleanup.createDirectories(dir);
                Path tmp = Cleanup.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
                temps.put(target, tmp);
                try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
                    f.getValue().writeTo(out);
                }
                if (Files.getFileStore(tmp).supportsFileAttributeView("posix")) {
                    // temporary files are created owner-only; the result should read like any other file
                    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
                }
            }
            Cleanup.atomically(() -> {
                for (Map.Entry<Path, Path> t : temps.entrySet()) {
                    move(t.getValue(), t.getKey());
                    Cleanup.moved(t.getValue());
                }
            });
        } finally {
            for (Path tmp : temps.values()) {
                Cleanup.deleteTemp(tmp);
            }
        }
    }

    private static void move(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * The file to replace when writing {@code target}: the target itself, or where its chain of symbolic links ends.
     *
     * @throws FileSystemException when that exists and is not a regular file
     */
    public static Path regularFileTarget(Path target) throws IOException {
        Path t = target;
        for (int i = 0; Files.isSymbolicLink(t); i++) {
            if (i == MAX_LINKS) {
                throw new FileSystemException(target.toString(), null, "too many levels of symbolic links");
            }
            Path parent = t.toAbsolutePath().getParent();
            t = parent.resolve(Files.readSymbolicLink(t)).normalize();
        }
        if (Files.exists(t, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(t, LinkOption.NOFOLLOW_LINKS)) {
            String what = Files.isDirectory(t, LinkOption.NOFOLLOW_LINKS) ? "a folder"
                    : "a device, FIFO or socket, not a regular file";
            throw new FileSystemException(target.toString(), null, "it is " + what
                    + "; give the name of a regular file to write");
        }
        return t;
    }

    /**
     * Creates the folder {@code dir} (and its parents) for output, registering what it creates with {@link Cleanup};
     * refuses a path that exists and is not a folder.
     */
    public static void createFolder(Path dir) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new FileSystemException(dir.toString(), null, "it exists and is not a folder");
        }
        Cleanup.createDirectories(dir);
    }

    /** Writes a UTF-8 text file atomically. */
    public static void writeString(Path target, String text) throws IOException {
        write(target, out -> out.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
}
