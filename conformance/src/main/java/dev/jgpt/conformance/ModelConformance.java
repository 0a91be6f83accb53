package dev.jgpt.conformance;

import static dev.jgpt.conformance.Tolerances.LLMVIZ_ABS;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jgpt.api.Tensor;
import dev.jgpt.model.Gpt;
import dev.jgpt.model.Trace;
import dev.jgpt.model.io.LlmVizImporter;
import dev.jgpt.model.io.LlmVizJson;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Model level: the llm-viz nano-GPT (imported from {@code ../shared/reference/llm-viz}) run on the backend under test
 * reproduces every tensor of llm-viz's {@code gpt-nano-sort-t0-partials.json} (PyTorch float32, B = 3, T = 11 = the
 * context length) within {@link Tolerances#LLMVIZ_ABS}, −∞ exactly where attention is masked; once as the batch of
 * three, once row by row (B = 1). Skipped, with the reason printed, when {@code ../shared} is absent.
 */
public abstract class ModelConformance extends ConformanceBase {
    private Gpt gpt;
    private LlmVizJson partials;

    @BeforeAll
    protected final void loadLlmViz() throws IOException {
        Path llmViz = SharedData.llmVizOrNull();
        if (llmViz == null) {
            return; // each test skips with the reason
        }
        Path dir = tempDir("llmviz");
        LlmVizImporter.importModel(llmViz.resolve(SharedData.MODEL), dir);
        gpt = Gpt.load(dir, backend);
        partials = LlmVizJson.read(llmViz.resolve(SharedData.PARTIALS));
    }

    @AfterAll
    protected final void closeLlmViz() {
        if (gpt != null) {
            gpt.close();
            gpt = null;
        }
    }

    /** Records every traced tensor as host floats with its shape. */
    private final class Recorder implements Trace {
        final Map<String, float[]> data = new HashMap<>();
        final Map<String, int[]> shapes = new HashMap<>();

        @Override
        public boolean enabled() {
            return true;
        }

        @Override
        public void record(String name, Tensor t) {
            data.put(name, backend.toArray(t));
            shapes.put(name, t.shape().clone());
        }
    }

    private int[] ids() {
        float[] idx = partials.tensors().get("idx").data();
        int[] ids = new int[idx.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = (int) idx[i];
        }
        return ids;
    }

    @Test
    void everyLlmVizPartialWithin1e5() {
        SharedData.llmVizOrSkip("the llm-viz partials check");
        Recorder rec = new Recorder();
        backend.release(gpt.forwardAll(ids(), 3, 11, rec));
        List<String> problems = new ArrayList<>();
        List<String> compared = new ArrayList<>();
        double worst = 0;
        for (Map.Entry<String, LlmVizJson.Entry> e : partials.tensors().entrySet()) {
            String name = e.getKey();
            if (!rec.data.containsKey(name)) {
                problems.add(name + ": not produced by the model's trace");
                continue;
            }
            if (!Arrays.equals(e.getValue().shape(), rec.shapes.get(name))) {
                problems.add(name + ": shape " + Arrays.toString(rec.shapes.get(name)) + ", llm-viz "
                        + Arrays.toString(e.getValue().shape()));
                continue;
            }
            worst = Math.max(worst, compare(name, e.getValue().shape(), e.getValue().data(), rec.data.get(name),
                    problems));
            compared.add(name);
        }
        System.out.printf("[%s] llm-viz partials: %d tensors compared, max |diff| %.3g (tolerance %.0e)%n",
                backendName(), compared.size(), worst, LLMVIZ_ABS);
        if (!problems.isEmpty()) {
            fail(backendName() + " differs from llm-viz's partials in " + problems.size() + " tensors: "
                    + String.join("; ", problems));
        }
        assertTrue(compared.containsAll(List.of("block0", "block1", "block2", "ln_f", "lm_head", "probs")),
                "compared " + compared);
    }

    @Test
    void everyLlmVizPartialRowByRow() {
        SharedData.llmVizOrSkip("the llm-viz partials check");
        int[] all = ids();
        List<String> problems = new ArrayList<>();
        for (int b = 0; b < 3; b++) {
            Recorder rec = new Recorder();
            backend.release(gpt.forwardAll(Arrays.copyOfRange(all, b * 11, (b + 1) * 11), 1, 11, rec));
            for (Map.Entry<String, LlmVizJson.Entry> e : partials.tensors().entrySet()) {
                String name = e.getKey();
                int[] shape = e.getValue().shape();
                if (!rec.data.containsKey(name) || shape[0] != 3) {
                    continue; // a missing tensor is reported by the batch test; pos_emb [1, ...] has no batch
                }
                int per = e.getValue().data().length / 3;
                float[] want = Arrays.copyOfRange(e.getValue().data(), b * per, (b + 1) * per);
                int[] rowShape = shape.clone();
                rowShape[0] = 1;
                if (!Arrays.equals(rowShape, rec.shapes.get(name))) {
                    problems.add("row " + b + " " + name + ": shape " + Arrays.toString(rec.shapes.get(name)));
                    continue;
                }
                compare("row " + b + " (B = 1) " + name, rowShape, want, rec.data.get(name), problems);
            }
        }
        if (!problems.isEmpty()) {
            fail(backendName() + " run one row at a time differs from llm-viz's partials: "
                    + String.join("; ", problems));
        }
    }

    /** Adds a problem when any element differs by more than 1e-5 (or is not −∞ where llm-viz has −∞). */
    private static double compare(String name, int[] shape, float[] want, float[] got, List<String> problems) {
        double worst = 0;
        int worstAt = -1;
        int bad = 0;
        for (int i = 0; i < want.length; i++) {
            double d;
            if (Float.isInfinite(want[i]) || Float.isInfinite(got[i]) || Float.isNaN(got[i])) {
                d = want[i] == got[i] ? 0 : Double.POSITIVE_INFINITY;
            } else {
                d = Math.abs((double) want[i] - got[i]);
            }
            if (d > LLMVIZ_ABS) {
                bad++;
            }
            if (d > worst) {
                worst = d;
                worstAt = i;
            }
        }
        if (bad > 0) {
            problems.add(String.format("%s: %d of %d elements off by more than %.0e; worst at %s: got %s, llm-viz %s",
                    name, bad, want.length, LLMVIZ_ABS, Expected.index(shape, worstAt), got[worstAt],
                    want[worstAt]));
        }
        return worst;
    }
}
