package dev.jgpt.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.api.BackendProvider;
import dev.jgpt.api.Backends;
import dev.jgpt.api.Gelu;
import dev.jgpt.api.TensorBackend;
import dev.jgpt.cli.Main;
import dev.jgpt.conformance.counting.CountingBackend;
import dev.jgpt.model.Gpt;
import dev.jgpt.model.GptConfig;
import dev.jgpt.model.io.LlmVizImporter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The test-only counting backend is picked up by the model and the CLI with no code change: it is only a provider
 * listed in this module's test resources, {@code META-INF/services/dev.jgpt.api.BackendProvider}.
 */
class CountingBackendIT {
    @TempDir
    Path tmp;

    @Test
    void registeredButNeverTheDefault() {
        Backends backends = Backends.discover();
        BackendProvider counting = backends.require("counting");
        assertEquals(1, counting.rank());
        assertNotEquals("counting", backends.best().name(), "rank 1 must never win without being asked for");
    }

    @Test
    void theModelRunsOnItAndItSeesEveryOperationTheModelUses() throws Exception {
        RandomModels.Spec spec = RandomModels.standard(7).get(1);
        Path dir = RandomModels.write(spec, tmp.resolve("model"));
        int[] prompt = {3, 1, 4, 1, 5};
        int[] want;
        try (TensorBackend plain = ConformanceBase.newReference(); Gpt gpt = Gpt.load(dir, plain)) {
            want = gpt.generator().generate(prompt, 10);
        }
        TensorBackend backend = Backends.discover().require("counting").create();
        assertTrue(backend instanceof CountingBackend, "the provider makes the counting backend");
        int[] got;
        try (Gpt gpt = Gpt.load(dir, backend)) {
            got = gpt.generator().generate(prompt, 10);
        }
        backend.close();
        assertArrayEquals(want, got, "same greedy tokens as plain");
        Map<String, Long> counts = ((CountingBackend) backend).counts();
        System.out.println("[counting] one load + 10 greedy steps: " + counts);
        for (String op : List.of("weight", "gatherRows", "add", "linear", "layerNorm", "gelu", "attention", "matmul",
                "newKvCache", "toArray", "release", "close")) {
            assertTrue(counts.getOrDefault(op, 0L) > 0, op + " was never called: " + counts);
        }
        // one prefill + 9 decode steps (the 10th token is never fed back), each through every layer
        assertEquals(10L * spec.config().nLayer, counts.get("attention"), "attention calls");
    }

    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new String[] {Integer.toString(code), out.toString(), err.toString()};
    }

    /** The llm-viz sort model when ../shared is present, else a random model with the sort vocabulary. */
    private Path sortModel() throws Exception {
        Path llmViz = SharedData.llmVizOrNull();
        Path dir = tmp.resolve("sort");
        if (llmViz != null) {
            LlmVizImporter.importModel(llmViz.resolve(SharedData.MODEL), dir);
        } else {
            System.err.println("[counting] ../shared is absent: the CLI test sorts with a random 3-token model");
            GptConfig c = new GptConfig(1, 2, 16, 3, 11, 1e-5f, Gelu.TANH, true);
            RandomModels.write(new RandomModels.Spec("sort-shaped", c, 5, ""), dir);
        }
        return dir;
    }

    @Test
    void theCliSortsWithItWhenAskedByFlag() throws Exception {
        Path model = sortModel();
        long before = CountingBackend.globalCounts().getOrDefault("attention", 0L);
        String[] r = run("sort", "CBABBC", "--backend", "counting", "--model", model.toString());
        assertEquals("0", r[0], "exit code; stderr: " + r[2]);
        String sorted = r[1].strip();
        if (SharedData.llmVizOrNull() != null) {
            assertEquals("ABBBCC", sorted);
        } else {
            assertTrue(sorted.matches("[ABC]{6}"), sorted);
        }
        assertTrue(CountingBackend.globalCounts().getOrDefault("attention", 0L) > before,
                "the CLI ran on the counting backend");
    }

    @Test
    void theCliSelectsItBySystemProperty() throws Exception {
        Path model = sortModel();
        long before = CountingBackend.globalCounts().getOrDefault("attention", 0L);
        String old = System.getProperty("gpt.backend");
        System.setProperty("gpt.backend", "counting");
        try {
            String[] r = run("sort", "CBABBC", "--model", model.toString());
            assertEquals("0", r[0], "exit code; stderr: " + r[2]);
            String[] b = run("backends");
            assertTrue(b[1].contains("selected: counting (by system property gpt.backend)"), b[1]);
        } finally {
            if (old == null) {
                System.clearProperty("gpt.backend");
            } else {
                System.setProperty("gpt.backend", old);
            }
        }
        assertTrue(CountingBackend.globalCounts().getOrDefault("attention", 0L) > before,
                "the CLI ran on the counting backend");
    }

    @Test
    void theCliListsIt() {
        String[] r = run("backends");
        assertEquals("0", r[0], "exit code; stderr: " + r[2]);
        List<String> lines = r[1].lines().filter(l -> l.startsWith("counting ")).collect(Collectors.toList());
        assertEquals(1, lines.size(), r[1]);
        assertTrue(lines.get(0).matches("counting\\s+1\\s+yes\\s+test only: counts every op call.*"), lines.get(0));
        System.out.println("[counting] gpt backends:\n" + r[1]);
    }
}
