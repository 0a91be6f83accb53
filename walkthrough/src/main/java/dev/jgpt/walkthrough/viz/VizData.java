package dev.jgpt.walkthrough.viz;

import com.google.gson.stream.JsonWriter;
import dev.jgpt.model.GptConfig;
import dev.jgpt.model.Tokenizer;
import dev.jgpt.walkthrough.TraceRecorder;
import dev.jgpt.walkthrough.Walkthrough;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The page's data: one JSON document with the run's real tensors, strided to at most {@link TracePlan#MAX_SIDE}
 * rows and columns per heat-map, numbers to 4 significant digits, −∞ (masked) as {@code null}. The JSON is HTML-safe
 * ({@code <}, {@code >}, {@code &}, {@code '} and {@code =} escaped as {@code \}u00XX), so no token text can end the
 * {@code <script>} block it is embedded in.
 */
public final class VizData {
    /** Tokens listed in the output section when the vocabulary is large. */
    static final int TOP_K = 10;
    /** Temperatures the output section can show the distribution at. */
    static final double[] TEMPERATURES = {0.5, 0.8, 1, 1.5, 2};
    private static final MathContext DIGITS = new MathContext(4);

    private final Walkthrough run;
    private final Tokenizer tokenizer;
    private final TracePlan plan;
    private final String modelName;
    private final String backendName;
    private final Set<Integer> tokenIds = new TreeSet<>();
    private final List<String> notes = new ArrayList<>();
    /** Per step: its heat-maps, or null when it is not on the page in full. */
    private final List<List<TensorMaps.Spec>> maps = new ArrayList<>();
    private final List<Boolean> deltas = new ArrayList<>();
    private int tracedSteps;
    private int deltaSteps;

    public VizData(Walkthrough run, Tokenizer tokenizer, TracePlan plan, String modelName, String backendName) {
        this.run = run;
        this.tokenizer = tokenizer;
        this.plan = plan;
        this.modelName = modelName;
        this.backendName = backendName;
    }

    /** What the page had to leave out or sample, one plain sentence each (empty when it shows everything). */
    public List<String> notes() {
        return notes;
    }

    /** Generation steps whose every intermediate is on the page (the first ones). */
    public int tracedSteps() {
        return tracedSteps;
    }

    /**
     * Decides what each step puts on the page: its heat-maps whole, as a delta (only the new position, see
     * {@link TensorMaps}), or none once the budget is spent (every step keeps its output and chosen token).
     */
    private void plan() {
        GptConfig c = run.config;
        long used = 0;
        List<TensorMaps.Spec> previous = null;
        boolean full = false;
        for (int s = 0; s < run.steps.size(); s++) {
            Walkthrough.StepTrace st = run.steps.get(s);
            List<TensorMaps.Spec> now = st.trace() == null || full ? null
                    : TensorMaps.of(c, plan, st.trace(), st.input().length);
            boolean delta = now != null && TensorMaps.deltaPossible(now, previous);
            long cost = now == null ? 0 : TensorMaps.cells(now, delta);
            if (now != null && s > 0 && used + cost > plan.budget) {
                now = null;
            }
            if (now == null) {
                full = true; // traced steps stay contiguous from step 0
            } else {
                used += cost;
                tracedSteps++;
                deltaSteps += delta ? 1 : 0;
            }
            maps.add(now);
            deltas.add(delta && now != null);
            previous = now;
        }
    }

    /** The JSON document. */
    public String toJson() {
        StringWriter sw = new StringWriter();
        try (JsonWriter w = new JsonWriter(sw)) {
            w.setHtmlSafe(true);
            write(w);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sw.toString();
    }

    private void write(JsonWriter w) throws IOException {
        GptConfig c = run.config;
        if (maps.isEmpty()) {
            plan();
        }
        collectNotes(c);
        int[] all = run.tokens();
        w.beginObject();
        w.name("model").beginObject();
        w.name("name").value(modelName);
        w.name("backend").value(backendName);
        w.name("nLayer").value(c.nLayer).name("nHead").value(c.nHead).name("nEmbd").value(c.nEmbd);
        w.name("vocab").value(c.vocabSize).name("nPositions").value(c.nPositions).name("headSize").value(c.headSize());
        w.name("eps").jsonValue(num(c.layerNormEps));
        w.name("gelu").value(c.gelu.name().toLowerCase(Locale.ROOT));
        w.name("tied").value(c.tieWordEmbeddings);
        w.endObject();
        w.name("sampling").value(run.sampling.toString());
        w.name("prompt");
        ints(w, run.prompt);
        w.name("promptText").value(tokenizer.decode(run.prompt));
        w.name("generatedText").value(tokenizer.decode(Arrays.copyOfRange(all, run.prompt.length, all.length)));
        w.name("tracedSteps").value(tracedSteps);
        w.name("deltaSteps").value(deltaSteps);
        w.name("side").value(plan.side);
        w.name("qkv").value(plan.qkv);
        w.name("notes").beginArray();
        for (String n : notes) {
            w.value(n);
        }
        w.endArray();
        w.name("temperatures").beginArray();
        for (double t : TEMPERATURES) {
            w.jsonValue(num(t));
        }
        w.endArray();
        w.name("steps").beginArray();
        for (int s = 0; s < run.steps.size(); s++) {
            step(w, run.steps.get(s), maps.get(s), deltas.get(s));
        }
        w.endArray();
        for (int id : all) {
            tokenIds.add(id);
        }
        if (plan.vocabDrawn()) {
            for (int id = 0; id < c.vocabSize; id++) {
                tokenIds.add(id);
            }
        }
        w.name("tokens").beginObject();
        for (int id : tokenIds) {
            w.name(Integer.toString(id)).value(tokenizer.decode(new int[] {id}));
        }
        w.endObject();
        w.endObject();
    }

    private void collectNotes(GptConfig c) {
        int longest = run.prompt.length + tracedSteps - 1;
        Axis pos = plan.positions(longest);
        if (pos.sampled()) {
            notes.add("Heat-maps over positions show " + pos.describe("positions") + " (ending with the last, "
                    + "whose output predicts the next token).");
        }
        Axis ch = plan.channels(c.nEmbd);
        Axis ch4 = plan.channels(4 * c.nEmbd);
        if (ch.sampled() || ch4.sampled()) {
            notes.add("Heat-maps over channels show " + ch.describe("channels") + " of the residual stream and "
                    + ch4.describe("channels") + " inside the MLP.");
        }
        Axis dims = plan.headDims();
        if (!plan.qkv) {
            notes.add("q, k and v are left out: " + c.nLayer + " layers × " + c.nHead + " heads of them would not "
                    + "fit; the attention scores and weights of every head are shown.");
        } else if (dims.sampled()) {
            notes.add("q, k and v show " + dims.describe("dimensions") + " of each head.");
        }
        if (!plan.vocabDrawn()) {
            notes.add("Logits: the " + TOP_K + " most likely of " + c.vocabSize + " tokens are listed instead of "
                    + "drawing all of them.");
        }
        if (tracedSteps < run.steps.size()) {
            notes.add((tracedSteps == 1 ? "Step 0" : "Steps 0–" + (tracedSteps - 1)) + " of " + run.steps.size()
                    + (tracedSteps == 1 ? " is" : " are") + " traced in full; later steps show their output and "
                    + "chosen token only (to keep this page small).");
        }
    }

    private void step(JsonWriter w, Walkthrough.StepTrace s, List<TensorMaps.Spec> specs, boolean delta)
            throws IOException {
        w.beginObject();
        w.name("input");
        ints(w, s.input());
        w.name("chosen").value(s.chosen());
        w.name("pChosen").jsonValue(num(s.probabilities()[s.chosen()]));
        top(w, s);
        w.name("traced").value(specs != null);
        if (specs != null) {
            w.name("delta").value(delta);
            w.name("pos");
            axis(w, plan.positions(s.input().length));
            w.name("maps").beginObject();
            for (TensorMaps.Spec spec : specs) {
                TensorMaps.write(w, spec, delta);
            }
            w.endObject();
            stats(w, s.trace(), plan.positions(s.input().length));
        }
        w.endObject();
    }

    private void top(JsonWriter w, Walkthrough.StepTrace s) throws IOException {
        int v = s.logits().length;
        Integer[] order = new Integer[v];
        for (int i = 0; i < v; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> s.logits()[a] != s.logits()[b] ? Float.compare(s.logits()[b], s.logits()[a])
                : Integer.compare(a, b));
        int k = Math.min(v, TOP_K);
        List<Integer> ids = new ArrayList<>(Arrays.asList(order).subList(0, k));
        if (!ids.contains(s.chosen())) {
            ids.add(s.chosen());
        }
        double[][] probs = new double[TEMPERATURES.length][];
        for (int t = 0; t < TEMPERATURES.length; t++) {
            probs[t] = softmax(s.logits(), TEMPERATURES[t]);
        }
        w.name("top").beginArray();
        for (int id : ids) {
            tokenIds.add(id);
            w.beginObject().name("id").value(id).name("logit").jsonValue(num(s.logits()[id]));
            w.name("p").beginArray();
            for (double[] p : probs) {
                w.jsonValue(num(p[id]));
            }
            w.endArray().endObject();
        }
        w.endArray();
    }

    /** Layer-norm inputs' mean and variance per position, and the residual stream's length after each block. */
    private void stats(JsonWriter w, TraceRecorder tr, Axis pos) throws IOException {
        GptConfig c = run.config;
        w.name("ln").beginArray();
        for (int l = 0; l < c.nLayer; l++) {
            TraceRecorder.Recorded in1 = tr.get(l == 0 ? "x" : "block" + (l - 1));
            TraceRecorder.Recorded in2 = tr.get("h" + l + ".attnResid");
            w.beginObject();
            w.name("in1").value(l == 0 ? "x" : "block" + (l - 1));
            rowStats(w, "mean1", "var1", in1, pos);
            w.name("in2").value("h" + l + ".attnResid");
            rowStats(w, "mean2", "var2", in2, pos);
            w.endObject();
        }
        w.endArray();
        w.name("norms").beginArray();
        for (int l = -1; l < c.nLayer; l++) {
            TraceRecorder.Recorded r = tr.get(l < 0 ? "x" : "block" + l);
            w.beginArray();
            for (int i = 0; i < pos.count; i++) {
                double[] mv = meanVarNorm(r, pos.index(i));
                w.jsonValue(num(mv[2]));
            }
            w.endArray();
        }
        w.endArray();
    }

    private static void rowStats(JsonWriter w, String meanKey, String varKey, TraceRecorder.Recorded r, Axis pos)
            throws IOException {
        double[][] mv = new double[pos.count][];
        for (int i = 0; i < pos.count; i++) {
            mv[i] = meanVarNorm(r, pos.index(i));
        }
        w.name(meanKey).beginArray();
        for (double[] m : mv) {
            w.jsonValue(num(m[0]));
        }
        w.endArray();
        w.name(varKey).beginArray();
        for (double[] m : mv) {
            w.jsonValue(num(m[1]));
        }
        w.endArray();
    }

    /** Mean, biased variance and Euclidean norm of one position's row of a [1, T, C] tensor. */
    static double[] meanVarNorm(TraceRecorder.Recorded r, int row) {
        int c = r.shape()[r.shape().length - 1];
        double sum = 0;
        double sq = 0;
        for (int i = 0; i < c; i++) {
            double v = r.data()[row * c + i];
            sum += v;
            sq += v * v;
        }
        double mean = sum / c;
        double var = 0;
        for (int i = 0; i < c; i++) {
            double d = r.data()[row * c + i] - mean;
            var += d * d;
        }
        return new double[] {mean, var / c, Math.sqrt(sq)};
    }

    static void axis(JsonWriter w, Axis a) throws IOException {
        w.beginArray().value(a.start).value(a.step).value(a.count).value(a.size).endArray();
    }

    private static void ints(JsonWriter w, int[] values) throws IOException {
        w.beginArray();
        for (int v : values) {
            w.value(v);
        }
        w.endArray();
    }

    static double[] softmax(float[] logits, double temperature) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l / temperature);
        }
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp(logits[i] / temperature - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /** A finite number to 4 significant digits, as a JSON number ("0.2571", "-1.234E-7", "0"). */
    static String num(double v) {
        if (v == 0 || !Double.isFinite(v)) {
            return "0";
        }
        return new BigDecimal(v).round(DIGITS).stripTrailingZeros().toString();
    }
}
