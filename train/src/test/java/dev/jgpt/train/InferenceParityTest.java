package dev.jgpt.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jgpt.api.Backends;
import dev.jgpt.api.Tensor;
import dev.jgpt.api.TensorBackend;
import dev.jgpt.model.Gpt;
import dev.jgpt.model.SortTask;
import dev.jgpt.model.SortVocabulary;
import dev.jgpt.model.Trace;
import dev.jgpt.model.io.LlmVizJson;
import dev.jgpt.model.io.ModelWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer's forward is the model's forward: weights written with ModelWriter and loaded by {@link Gpt} on the plain
 * backend (found through ServiceLoader) give the same logits within 1e-5, and sort the same way.
 */
class InferenceParityTest {
    @TempDir
    static Path dir;
    static Map<String, LlmVizJson.Entry> weights;

    @BeforeAll
    static void trainBriefly() throws Exception {
        weights = SortTrainer.train(11, 60, 64, TrainProgress.NONE);
        ModelWriter.write(dir, SortTrainer.config(), weights, "F32", "");
    }

    static TensorBackend plain() {
        return Backends.discover().require("plain").create();
    }

    @Test
    void logitsMatchTheInferencePath() {
        int b = 729 / 9, t = SortData.CONTEXT;
        int[] ids = new int[b * t];
        for (int i = 0; i < b; i++) {
            System.arraycopy(SortData.input(SortData.sequence(i * 9)), 0, ids, i * t, t);
        }
        ParameterTensors p = ParameterTensors.of(SortTrainer.config(), weights);
        float[] ours = new TrainableGpt(SortTrainer.config()).logits(p, ids, b, t);
        TensorBackend backend = plain();
        try (Gpt gpt = Gpt.load(dir, backend)) {
            Tensor logits = gpt.forwardAll(ids, b, t, Trace.OFF);
            float[] theirs = backend.toArray(logits);
            assertEquals(ours.length, theirs.length);
            double worst = 0;
            for (int i = 0; i < ours.length; i++) {
                worst = Math.max(worst, Math.abs(ours[i] - theirs[i]));
            }
            assertEquals(0, worst, 1e-5, "max |trainer − inference| over " + ours.length + " logits");
            double spread = 0;
            for (float v : theirs) {
                spread = Math.max(spread, Math.abs(v));
            }
            assertEquals(true, spread > 1, "the logits after 60 steps are not trivially small: " + spread);
        }
    }

    @Test
    void greedySortingAgreesWithSortTask() {
        int[] all = new int[SortData.COUNT];
        Arrays.setAll(all, i -> i);
        int ours = SortAccuracy.correct(new TrainableGpt(SortTrainer.config()),
                ParameterTensors.of(SortTrainer.config(), weights), all);
        String[] inputs = new String[SortData.COUNT];
        String[] expected = new String[SortData.COUNT];
        for (int i = 0; i < SortData.COUNT; i++) {
            int[] digits = SortData.sequence(i);
            inputs[i] = SortVocabulary.decode(digits);
            Arrays.sort(digits);
            expected[i] = SortVocabulary.decode(digits);
        }
        int theirs = 0;
        try (Gpt gpt = Gpt.load(dir, plain())) {
            String[] sorted = new SortTask(gpt).sort(inputs);
            for (int i = 0; i < sorted.length; i++) {
                if (sorted[i].equals(expected[i])) {
                    theirs++;
                }
            }
        }
        assertEquals(theirs, ours, "sequences sorted right: SortAccuracy vs SortTask");
    }
}
