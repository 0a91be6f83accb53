package dev.jgpt.model.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes files so that a reader never sees half of one: write to a temporary name in the same folder, then move. */
public final class AtomicFiles {
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
        Map<Path, Path> temps = new LinkedHashMap<>();
        try {
            for (Map.Entry<Path, Content> f : files.entrySet()) {
                Path dir = f.getKey().toAbsolutePath().getParent();
                Files.createDirectories(dir);
                Path tmp = Files.createTempFile(dir, "." + f.getKey().getFileName() + ".", ".tmp");
                temps.put(f.getKey(), tmp);
                try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
                    f.getValue().writeTo(out);
                }
                if (Files.getFileStore(tmp).supportsFileAttributeView("posix")) {
                    // temporary files are created owner-only; the result should read like any other file
                    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
                }
            }
            for (Map.Entry<Path, Path> t : temps.entrySet()) {
                try {
                    Files.move(t.getValue(), t.getKey(), StandardCopyOption.ATOMIC_MOVE,
                            StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(t.getValue(), t.getKey(), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } finally {
            for (Path tmp : temps.values()) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** Writes a UTF-8 text file atomically. */
    public static void writeString(Path target, String text) throws IOException {
        write(target, out -> out.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
}
