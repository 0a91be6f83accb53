package dev.jgpt.model.io;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a failed or interrupted run leaves behind (issue 12, row 3): nothing of its own, nothing of others' lost. */
class CleanupTest {
    @TempDir
    Path tmp;

    @Test
    void aFailedRunRemovesItsTemporariesAndTheFoldersItCreated() throws IOException {
        Path deep = tmp.resolve("a/b/c");
        Cleanup.createDirectories(deep);
        Path half = Cleanup.createTempFile(deep, ".model.safetensors.", ".tmp");
        Files.write(half, new byte[1000]);
        Cleanup.rollback();
        assertFalse(Files.exists(half), "the temporary file is removed");
        assertFalse(Files.exists(tmp.resolve("a")), "every folder the run created is removed");
        assertTrue(Files.isDirectory(tmp), "folders that were there before stay");
    }

    @Test
    void foldersThatHoldSomethingElseStayAndSuccessKeepsEverything() throws IOException {
        Path dir = tmp.resolve("x/y");
        Cleanup.createDirectories(dir);
        Files.writeString(tmp.resolve("x/theirs.txt"), "not ours");
        Cleanup.rollback();
        assertFalse(Files.exists(dir));
        assertTrue(Files.exists(tmp.resolve("x/theirs.txt")), "a folder holding something else is kept");
        Path kept = tmp.resolve("kept");
        AtomicFiles.writeString(kept.resolve("f.txt"), "done");
        Cleanup.commit();
        Cleanup.rollback();
        assertTrue(Files.isRegularFile(kept.resolve("f.txt")), "a committed run keeps what it wrote");
    }

    @Test
    void aFailedWriteLeavesNoFolderBehind() {
        Path out = tmp.resolve("new/model.json");
        try {
            AtomicFiles.write(out, o -> {
                o.write(new byte[10]);
                throw new IOException("disk full");
            });
        } catch (IOException expected) {
            // the write fails
        }
        Cleanup.rollback();
        assertFalse(Files.exists(tmp.resolve("new")), "the folder created for the failed file is removed");
    }
}
