package dev.jgpt.walkthrough;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.jgpt.api.TensorBackend;
import dev.jgpt.conformance.ReferenceBackend;
import dev.jgpt.model.DefaultModel;
import dev.jgpt.model.Gpt;
import dev.jgpt.model.InvalidInputException;
import dev.jgpt.model.Sampler;
import dev.jgpt.model.Sampling;
import dev.jgpt.model.SortVocabulary;
import dev.jgpt.model.Tokenizer;
import dev.jgpt.walkthrough.explain.Explainer;
import dev.jgpt.walkthrough.explain.Style;
import dev.jgpt.walkthrough.viz.TracePlan;
import dev.jgpt.walkthrough.viz.VizData;
import dev.jgpt.walkthrough.viz.VizPage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The walkthrough of the embedded sort model on the kit's reference backend, and what is made of it. */
class WalkthroughTest {
    private static final int[] PROMPT = SortVocabulary.encode("CBABBC");

    private static Walkthrough run(Gpt gpt, Walkthrough.StepFilter traced) {
        return Walkthrough.run(gpt, PROMPT, PROMPT.length, Sampling.greedy(), traced);
    }

    private static Gpt sortModel(TensorBackend backend) {
        return Gpt.load(DefaultModel.folder(), backend);
    }

    @Test
    void sortsAndKeepsTheTraceOfTheStepsAskedFor() {
        try (TensorBackend backend = new ReferenceBackend(); Gpt gpt = sortModel(backend)) {
            Walkthrough w = run(gpt, s -> s == 2);
            assertEquals("ABBBCC", SortVocabulary.decode(Arrays.copyOfRange(w.tokens(), 6, 12)));
            assertEquals(6, w.steps.size());
            for (int s = 0; s < w.steps.size(); s++) {
                Walkthrough.StepTrace st = w.steps.get(s);
                assertEquals(PROMPT.length + s, st.input().length, "step " + s + " feeds the sequence so far");
                assertEquals(Sampler.argmax(st.logits()), st.chosen(), "greedy: the largest logit, step " + s);
                assertEquals(1.0, Arrays.stream(st.probabilities()).sum(), 1e-9, "step " + s);
                if (s == 2) {
                    assertNotNull(st.trace());
                } else {
                    assertNull(st.trace(), "step " + s + " was not asked for");
                }
            }
            TraceRecorder tr = w.steps.get(2).trace();
            assertArrayEquals(new int[] {1, 3, 8, 8}, tr.get("h2.attSm").shape(), "[B, nHead, T, T] at T = 8");
            assertArrayEquals(new int[] {1, 8, 48}, tr.get("tok_emb").shape());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tr.get("h9.ln1"));
            assertTrue(e.getMessage().contains("h9.ln1"), e.getMessage());
        }
    }

    @Test
    void refusesWhatTheContextCannotHold() {
        try (TensorBackend backend = new ReferenceBackend(); Gpt gpt = sortModel(backend)) {
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> Walkthrough.run(gpt, PROMPT, 7, Sampling.greedy(), s -> false));
            assertTrue(e.getMessage().contains("at most 6 new tokens"), e.getMessage());
        }
    }

    @Test
    void traceFileHoldsTheConfigAndEveryTensor(@TempDir Path dir) throws Exception {
        try (TensorBackend backend = new ReferenceBackend(); Gpt gpt = sortModel(backend)) {
            TraceRecorder recorder = new TraceRecorder(backend);
            backend.release(gpt.forwardAll(PROMPT, 1, PROMPT.length, recorder));
            Path file = dir.resolve("t.json");
            TraceFile.write(file, gpt.config(), 1, recorder);
            JsonObject o = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
            assertEquals(3, o.getAsJsonObject("config").get("n_layer").getAsInt());
            assertEquals(recorder.tensors().size() + 1, o.size(), "config plus one entry per tensor");
            assertEquals("[1,6,3]", o.getAsJsonObject("lm_head").get("shape").toString());
        }
    }

    @Test
    void explainerAndPageShowTheRun() {
        try (TensorBackend backend = new ReferenceBackend(); Gpt gpt = sortModel(backend)) {
            Tokenizer tokenizer = gpt.tokenizer();
            TracePlan plan = TracePlan.of(gpt.config(), PROMPT.length, PROMPT.length, TracePlan.DEFAULT_BUDGET);
            Walkthrough w = run(gpt, plan::traced);
            StringWriter text = new StringWriter();
            new Explainer(w, tokenizer, new PrintWriter(text, true), new Style(false)).explain(0);
            assertTrue(text.toString().contains("1. Input"), text.toString());
            assertTrue(text.toString().contains("ABBBCC"), text.toString());
            String json = new VizData(w, tokenizer, plan, "sort", "reference").toJson();
            String html = VizPage.render("a <title>", json);
            assertTrue(html.contains("a &lt;title&gt;"), "the title is escaped");
            assertTrue(html.contains(json), "the data is inlined");
            assertThrows(IllegalArgumentException.class, () -> VizPage.render("t", "{\"x\":\"</script>\"}"));
        }
    }
}
