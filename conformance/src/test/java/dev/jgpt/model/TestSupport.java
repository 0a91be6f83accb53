package dev.jgpt.model;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jgpt.api.TensorBackend;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Shared helpers of the model's tests, which live in the kit's module so that they run on the kit's reference backend
 * (the model itself depends on no backend; the backends' own modules depend on the kit, which depends on the model).
 */
final class TestSupport {
    private TestSupport() {
    }

    static TensorBackend plain() {
        return new dev.jgpt.conformance.ReferenceBackend();
    }

    /** ../shared/reference/llm-viz, or the test is skipped with the reason printed. */
    static Path llmViz() {
        Path root = Path.of(System.getProperty("jgpt.root", ".")).toAbsolutePath();
        Path dir = root.resolve("../shared/reference/llm-viz").normalize();
        boolean present = Files.isRegularFile(dir.resolve("gpt-nano-sort-model.json"));
        if (!present) {
            System.err.println("SKIPPED: " + dir + " is absent; the llm-viz reference tests need ../shared beside "
                    + "the repository");
        }
        assumeTrue(present, dir + " is absent; the llm-viz reference tests need ../shared beside the repository");
        return dir;
    }
}
