package dev.jgpt.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.api.Tensor;
import dev.jgpt.api.TensorBackend;
import dev.jgpt.model.io.LlmVizImporter;
import dev.jgpt.model.io.LlmVizJson;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The imported llm-viz nano-GPT against llm-viz's own intermediate results, and on all 729 sort inputs. */
class LlmVizReferenceTest {
    /** Absolute tolerance against the PyTorch float32 partials. */
    static final double TOL = 1e-5;

    @TempDir
    static Path tmp;
    static TensorBackend backend;
    static Gpt gpt;
    static LlmVizJson partials;

    @BeforeAll
    static void load() throws Exception {
        Path ref = TestSupport.llmViz();
        Path dir = tmp.resolve("nano");
        LlmVizImporter.importModel(ref.resolve("gpt-nano-sort-model.json"), dir);
        backend = TestSupport.plain();
        gpt = Gpt.load(dir, backend);
        partials = LlmVizJson.read(ref.resolve("gpt-nano-sort-t0-partials.json"));
    }

    @AfterAll
    static void close() {
        if (gpt != null) {
            gpt.close();
        }
    }

    @Test
    void everyPartialOfTheThreeRowsMatches() {
        float[] idx = partials.tensors().get("idx").data(); // [3, 11]
        int[] ids = new int[idx.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = (int) idx[i];
        }
        Map<String, float[]> got = new HashMap<>();
        Map<String, int[]> shapes = new HashMap<>();
        Trace trace = new Trace() {
            @Override
            public boolean enabled() {
                return true;
            }

            @Override
            public void record(String name, Tensor t) {
                got.put(name, backend.toArray(t));
                shapes.put(name, t.shape().clone());
            }
        };
        backend.release(gpt.forwardAll(ids, 3, 11, trace));
        List<String> compared = new ArrayList<>();
        for (Map.Entry<String, LlmVizJson.Entry> e : partials.tensors().entrySet()) {
            String name = e.getKey();
            assertTrue(got.containsKey(name), "the model did not produce " + name);
            assertArrayEquals(e.getValue().shape(), shapes.get(name), name + " shape");
            assertClose(name, e.getValue().data(), got.get(name));
            compared.add(name);
        }
        assertTrue(compared.containsAll(List.of("block0", "block1", "block2", "ln_f", "lm_head", "probs")),
                "compared " + compared);
    }

    static void assertClose(String name, float[] want, float[] got) {
        assertEquals(want.length, got.length, name + " length");
        for (int i = 0; i < want.length; i++) {
            if (want[i] == Float.NEGATIVE_INFINITY) {
                assertEquals(Float.NEGATIVE_INFINITY, got[i], name + "[" + i + "] is masked");
            } else {
                assertEquals(want[i], got[i], TOL, name + "[" + i + "]");
            }
        }
    }

    @Test
    void sortsAll729Inputs() {
        SortTask task = new SortTask(gpt);
        String[] inputs = new String[729];
        for (int n = 0; n < 729; n++) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0, v = n; i < 6; i++, v /= 3) {
                sb.append((char) ('A' + v % 3));
            }
            inputs[n] = sb.toString();
        }
        String[] sorted = task.sort(inputs);
        int wrong = 0;
        for (int n = 0; n < 729; n++) {
            char[] want = inputs[n].toCharArray();
            java.util.Arrays.sort(want);
            if (!new String(want).equals(sorted[n])) {
                wrong++;
                System.err.println(inputs[n] + " -> " + sorted[n]);
            }
        }
        assertEquals(0, wrong, "inputs sorted wrongly");
        assertEquals("ABBBCC", task.sort("CBABBC"));
    }
}
