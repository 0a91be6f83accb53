package dev.jgpt.conformance;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds {@code ../shared/reference/llm-viz} (the llm-viz nano-GPT sort model and its partials). Looked up, in order:
 * the system property {@code jgpt.llmviz} (the folder itself); {@code <jgpt.root>/../shared/...} where
 * {@code jgpt.root} is the repository root (the jgpt parent pom sets it for surefire and failsafe); then
 * {@code ../shared/...} beside the working directory and each of its parents. When it is absent the calling test is
 * skipped, with the reason printed to stderr.
 */
public final class SharedData {
    static final String MODEL = "gpt-nano-sort-model.json";
    static final String PARTIALS = "gpt-nano-sort-t0-partials.json";

    private SharedData() {
    }

    /** The llm-viz folder, or null when it cannot be found. */
    public static Path llmVizOrNull() {
        String explicit = System.getProperty("jgpt.llmviz");
        if (explicit != null && !explicit.isBlank()) {
            Path p = Path.of(explicit).toAbsolutePath().normalize();
            return Files.isRegularFile(p.resolve(MODEL)) ? p : null;
        }
        String root = System.getProperty("jgpt.root");
        if (root != null && !root.isBlank()) {
            Path p = Path.of(root).toAbsolutePath().resolve("../shared/reference/llm-viz").normalize();
            if (Files.isRegularFile(p.resolve(MODEL))) {
                return p;
            }
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path p = dir.resolve("../shared/reference/llm-viz").normalize();
            if (Files.isRegularFile(p.resolve(MODEL))) {
                return p;
            }
        }
        return null;
    }

    /** The llm-viz folder; skips the calling test (reason on stderr) when it is absent. */
    public static Path llmVizOrSkip(String what) {
        Path p = llmVizOrNull();
        if (p == null) {
            String reason = what + " needs ../shared/reference/llm-viz (" + MODEL + ", " + PARTIALS + ") beside the "
                    + "repository; not found from jgpt.root=" + System.getProperty("jgpt.root") + " nor from "
                    + Path.of("").toAbsolutePath() + " (set -Djgpt.llmviz=DIR to point at it)";
            System.err.println("SKIPPED: " + reason);
            assumeTrue(false, reason);
        }
        return p;
    }
}
