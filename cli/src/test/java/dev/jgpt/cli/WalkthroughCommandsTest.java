package dev.jgpt.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jgpt.model.io.LlmVizJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** gpt trace against llm-viz's partials, and gpt explain's sections. */
class WalkthroughCommandsTest {
    /** Absolute tolerance against the PyTorch float32 partials. */
    static final double TOL = 1e-5;

    @TempDir
    static Path tmp;
    static Path ref;
    static Path nano;

    @BeforeAll
    static void importNano() {
        ref = Path.of(System.getProperty("jgpt.root", ".")).resolve("../shared/reference/llm-viz").toAbsolutePath()
                .normalize();
        boolean present = Files.isRegularFile(ref.resolve("gpt-nano-sort-t0-partials.json"));
        if (!present) {
            System.err.println("SKIPPED: " + ref + " is absent; these tests need ../shared beside the repository");
        }
        assumeTrue(present, ref + " is absent");
        nano = tmp.resolve("nano");
        assertEquals(0, CliTest.gpt("import-llmviz", ref.resolve("gpt-nano-sort-model.json").toString(), "--out",
                nano.toString()).code());
    }

    @Test
    void traceMatchesRowZeroOfTheLlmVizPartials() {
        Path out = tmp.resolve("t.json");
        CliTest.Run r = CliTest.gpt("trace", "--model", nano.toString(), "--tokens", "0,0,2,1,0,1,0,0,0,0,0", "--out",
                out.toString());
        assertEquals(0, r.code(), r.err());
        Map<String, LlmVizJson.Entry> got = LlmVizJson.read(out).tensors();
        Map<String, LlmVizJson.Entry> want = LlmVizJson.read(ref.resolve("gpt-nano-sort-t0-partials.json")).tensors();
        for (Map.Entry<String, LlmVizJson.Entry> e : want.entrySet()) {
            String name = e.getKey();
            LlmVizJson.Entry g = got.get(name);
            assertTrue(g != null, "trace lacks " + name);
            int[] shape = e.getValue().shape().clone();
            int rows = name.equals("pos_emb") ? 1 : shape[0];
            shape[0] = 1;
            assertArrayEquals(shape, g.shape(), name + " shape (batch of 1)");
            float[] row0 = Arrays.copyOf(e.getValue().data(), e.getValue().data().length / rows);
            assertEquals(row0.length, g.data().length, name);
            for (int i = 0; i < row0.length; i++) {
                if (row0[i] == Float.NEGATIVE_INFINITY) {
                    assertEquals(Float.NEGATIVE_INFINITY, g.data()[i], name + "[" + i + "]");
                } else {
                    assertEquals(row0[i], g.data()[i], TOL, name + "[" + i + "]");
                }
            }
        }
        assertTrue(got.containsKey("h2.attSm") && got.containsKey("h1.mlp"), "every layer traced: " + got.keySet());
    }

    @Test
    void explainPrintsEverySectionWithNumbersAndEndsWithTheSortedSequence() {
        CliTest.Run r = CliTest.gpt("explain", "CBABBC", "--model", nano.toString());
        assertEquals(0, r.code(), r.err());
        for (String section : List.of("Input", "Embedding", "Layer norm", "Self-attention", "Projection and residual",
                "MLP", "stack of blocks", "Output", "The loop")) {
            assertTrue(r.out().contains("== ") && r.out().contains(section), "section " + section);
        }
        assertTrue(r.out().contains("·"), "the causal mask is shown");
        assertTrue(r.out().matches("(?s).*-?\\d\\.\\d{3}.*"), "real numbers");
        assertFalse(r.out().contains("\u001b["), "no colour when not a terminal");
        String[] lines = r.out().strip().split("\n");
        assertEquals("ABBBCC", lines[lines.length - 1]);
        CliTest.Run step3 = CliTest.gpt("explain", "CBABBC", "--model", nano.toString(), "--step", "3",
                "--color", "always");
        assertTrue(step3.out().contains("\u001b[") && step3.out().contains("CBABBCABB"), step3.out());
        CliTest.gpt("explain", "CBABBC", "--model", nano.toString(), "--step", "6").assertOneLineError(3, "--step");
    }

    @Test
    void traceRefusesBadInputAndUnwritableOutput() throws Exception {
        CliTest.gpt("trace", "--model", nano.toString(), "--tokens", "0,5", "--out", tmp.resolve("x.json").toString())
                .assertOneLineError(3, "5");
        Path dir = tmp.resolve("a-folder.json");
        Files.createDirectories(dir);
        CliTest.gpt("trace", "--model", nano.toString(), "--tokens", "0,1", "--out", dir.toString())
                .assertOneLineError(6, "a-folder.json");
        CliTest.gpt("trace", "--model", nano.toString(), "--out", dir.toString()).assertOneLineError(2);
    }
}
