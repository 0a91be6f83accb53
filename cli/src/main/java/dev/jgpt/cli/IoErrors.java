package dev.jgpt.cli;

import dev.jgpt.model.io.AtomicFiles;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.io.IOException;
import java.nio.file.Path;

/** What an I/O failure means, in words (a {@link FileSystemException}'s own message is often just the path). */
public final class IoErrors {
    private IoErrors() {
    }

    /** The error for output that cannot be written to {@code target} (exit 6). */
    public static OutputException cannotWrite(Path target, IOException e) {
        return new OutputException("cannot write " + target + ": " + why(e, target), e);
    }

    /** Refuses, before any work, an output file that exists and is not a regular file (or a link to one). */
    static void checkFileTarget(Path target) {
        try {
            AtomicFiles.regularFileTarget(target);
        } catch (IOException e) {
            throw cannotWrite(target, e);
        }
    }

    /** The cause of {@code e} for a one-line message, without Java class names. */
    public static String why(IOException e) {
        return why(e, null);
    }

    /** The cause of {@code e}; the file it names is left out when it is {@code shown} (already in the message). */
    static String why(IOException e, Path shown) {
        if (e instanceof FileSystemException) {
            FileSystemException f = (FileSystemException) e;
            boolean same = f.getFile() == null || shown != null && f.getFile().equals(shown.toString());
            String file = same ? "" : " (" + f.getFile() + ")";
            if (e instanceof AccessDeniedException) {
                return "permission denied" + file;
            }
            if (e instanceof NoSuchFileException) {
                return "no such file or folder" + file;
            }
            if (e instanceof FileAlreadyExistsException) {
                return "something else already exists there" + file;
            }
            if (e instanceof NotDirectoryException) {
                return "not a folder" + file;
            }
            if (f.getReason() != null) {
                return lowerFirst(f.getReason()) + file;
            }
            return "the file system refused" + file;
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? "an input/output error" : lowerFirst(m);
    }

    private static String lowerFirst(String s) {
        if (s.length() > 1 && Character.isUpperCase(s.charAt(0)) && Character.isLowerCase(s.charAt(1))) {
            return Character.toLowerCase(s.charAt(0)) + s.substring(1);
        }
        return s;
    }
}
