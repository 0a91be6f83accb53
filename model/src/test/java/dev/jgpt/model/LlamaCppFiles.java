package dev.jgpt.model;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** {@code ../shared/reference/llama.cpp} (the tiny GPT-2 as GGUF and what llama.cpp computed), read in place. */
final class LlamaCppFiles {
    private LlamaCppFiles() {
    }

    /** The folder, or the calling test is skipped with the reason printed. */
    static Path dir() {
        Path root = Path.of(System.getProperty("jgpt.root", ".")).toAbsolutePath();
        Path dir = root.resolve("../shared/reference/llama.cpp").normalize();
        boolean present = Files.isRegularFile(dir.resolve("gpt2-tiny-f32.gguf"));
        if (!present) {
            System.err.println("SKIPPED: " + dir + " is absent; the GGUF reference tests need ../shared beside the "
                    + "repository");
        }
        assumeTrue(present, dir + " is absent; the GGUF reference tests need ../shared beside the repository");
        return dir;
    }
}
