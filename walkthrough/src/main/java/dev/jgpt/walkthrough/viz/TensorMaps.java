package dev.jgpt.walkthrough.viz;

import com.google.gson.stream.JsonWriter;
import dev.jgpt.model.GptConfig;
import dev.jgpt.walkthrough.TraceRecorder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The heat-maps of one traced step: which tensors, which strided rows and columns, and how they are written.
 *
 * <p>A step after a traced step can be written as a <em>delta</em>: attention is causal, so the earlier positions
 * compute exactly what they computed one step before (that is why generation can cache keys and values), and only
 * the new position's row is stored; the page rebuilds the rest from the previous step. This is used only when every
 * shown value of the earlier positions agrees with the previous step (within 1e-4 of the heat-map's scale) and no
 * position is strided.
 */
final class TensorMaps {
    /** Per-layer tensors of [B, T, X] shape drawn as positions × channels. */
    private static final String[] LAYER_MAPS = {"ln1", "y", "yProj", "attnResid", "ln2", "fc", "gelu", "mlp",
        "mlpResid"};
    private static final double DELTA_TOLERANCE = 1e-4;

    /**
     * The heat-maps of one traced tensor: [B, T, X] (batch 0), or every head of a [B, H, T, X] one, strided to
     * {@code rows} × {@code cols}.
     */
    static final class Spec {
        final String name;
        final TraceRecorder.Recorded tensor;
        /** 0 for a [B, T, X] tensor, else H. */
        final int heads;
        final Axis rows;
        final Axis cols;
        /** What the columns index: "ch" channels, "pos" positions (attention), "dim" head dimensions, "tok" tokens. */
        final String colKind;

        Spec(String name, TraceRecorder.Recorded tensor, boolean perHead, Axis rows, Axis cols, String colKind) {
            this.name = name;
            this.tensor = tensor;
            this.heads = perHead ? tensor.shape()[1] : 0;
            this.rows = rows;
            this.cols = cols;
            this.colKind = colKind;
        }

        float at(int head, int row, int col) {
            int x = tensor.shape()[tensor.shape().length - 1];
            int t = tensor.shape()[tensor.shape().length - 2];
            return tensor.data()[head * t * x + row * x + col];
        }

        long cells(boolean delta) {
            return (long) Math.max(1, heads) * (delta ? 1 : rows.count) * cols.count;
        }
    }

    private TensorMaps() {
    }

    /** Every heat-map of a step that fed {@code t} tokens. */
    static List<Spec> of(GptConfig c, TracePlan plan, TraceRecorder tr, int t) {
        List<Spec> specs = new ArrayList<>();
        Axis pos = plan.positions(t);
        Axis ch = plan.channels(c.nEmbd);
        for (String name : new String[] {"tok_emb", "pos_emb", "x"}) {
            specs.add(new Spec(name, tr.get(name), false, pos, ch, "ch"));
        }
        for (int l = 0; l < c.nLayer; l++) {
            String h = "h" + l + ".";
            for (String name : LAYER_MAPS) {
                TraceRecorder.Recorded r = tr.get(h + name);
                specs.add(new Spec(h + name, r, false, pos, plan.channels(r.shape()[2]), "ch"));
            }
            // blockN equals hN.mlpResid: the page reads it from there
            for (String name : new String[] {"att", "attSm"}) {
                specs.add(new Spec(h + name, tr.get(h + name), true, pos, pos, "pos"));
            }
            for (String name : plan.qkv ? new String[] {"q", "k", "v"} : new String[0]) {
                specs.add(new Spec(h + name, tr.get(h + name), true, pos, plan.headDims(), "dim"));
            }
        }
        specs.add(new Spec("ln_f", tr.get("ln_f"), false, pos, ch, "ch"));
        if (plan.vocabDrawn()) {
            Axis vocab = Axis.fromStart(c.vocabSize, c.vocabSize);
            specs.add(new Spec("lm_head", tr.get("lm_head"), false, pos, vocab, "tok"));
            specs.add(new Spec("probs", tr.get("probs"), false, pos, vocab, "tok"));
        }
        return specs;
    }

    /** Numbers these heat-maps put on the page, whole or as a delta. */
    static long cells(List<Spec> specs, boolean delta) {
        long n = 0;
        for (Spec s : specs) {
            n += s.cells(delta);
        }
        return n;
    }

    /**
     * Whether every heat-map can be written as a delta against the previous step's maps {@code before} (same keys,
     * one position fewer): no strided positions, earlier positions equal, and in attention maps the new key column
     * masked for every earlier query.
     */
    static boolean deltaPossible(List<Spec> now, List<Spec> before) {
        if (before == null || now.size() != before.size()) {
            return false;
        }
        for (int i = 0; i < now.size(); i++) {
            Spec a = now.get(i);
            Spec b = before.get(i);
            if (!a.name.equals(b.name) || a.rows.sampled() || b.rows.sampled() || a.rows.size != b.rows.size + 1
                    || !prefixEqual(a, b)) {
                return false;
            }
        }
        return true;
    }

    private static boolean prefixEqual(Spec a, Spec b) {
        int t = a.rows.size;
        boolean positions = a.colKind.equals("pos");
        if (!positions && !a.cols.sameAs(b.cols)) {
            return false;
        }
        float fill = positions ? a.at(0, 0, t - 1) : 0;
        for (int head = 0; head < Math.max(1, a.heads); head++) {
            double scale = 0;
            for (int i = 0; i < t; i++) {
                for (int j = 0; j < a.cols.count; j++) {
                    float v = a.at(head, i, a.cols.index(j));
                    if (Float.isFinite(v)) {
                        scale = Math.max(scale, Math.abs(v));
                    }
                }
            }
            double tol = DELTA_TOLERANCE * scale;
            for (int i = 0; i < t - 1; i++) {
                for (int j = 0; j < a.cols.count; j++) {
                    int col = a.cols.index(j);
                    float v = a.at(head, i, col);
                    if (positions && col == t - 1) {
                        if (Float.compare(v, fill) != 0) {
                            return false; // the new key must be masked alike for every earlier query
                        }
                        continue;
                    }
                    float w = b.at(head, i, col);
                    if (v != w && !(Math.abs(v - w) <= tol)) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /**
     * Writes one tensor's heat-maps: the whole strided matrix (of every head, head after head), or with
     * {@code delta} only the last position's row (of every head). Values are integers k standing for k·10^e, with
     * one exponent e per map chosen so that its largest value keeps 4 digits; −∞ (masked) is null.
     */
    static void write(JsonWriter w, Spec s, boolean delta) throws IOException {
        w.name(s.name).beginObject();
        if (s.heads > 0) {
            w.name("heads").value(s.heads);
        }
        w.name("shape").beginArray();
        for (int d : s.tensor.shape()) {
            w.value(d);
        }
        w.endArray();
        w.name("r");
        VizData.axis(w, s.rows);
        w.name("c");
        VizData.axis(w, s.cols);
        w.name("ck").value(s.colKind);
        int first = delta ? s.rows.count - 1 : 0;
        double max = 0;
        for (int head = 0; head < Math.max(1, s.heads); head++) {
            for (int i = first; i < s.rows.count; i++) {
                for (int j = 0; j < s.cols.count; j++) {
                    float v = s.at(head, s.rows.index(i), s.cols.index(j));
                    if (Float.isFinite(v)) {
                        max = Math.max(max, Math.abs(v));
                    }
                }
            }
        }
        int e = max > 0 ? (int) Math.floor(Math.log10(max)) - 3 : 0;
        double unit = Math.pow(10, e);
        w.name("e").value(e);
        if (delta) {
            w.name("delta").value(true);
            if (s.colKind.equals("pos")) {
                w.name("fill");
                value(w, s.at(0, 0, s.rows.size - 1), unit);
            }
        }
        w.name("v").beginArray();
        for (int head = 0; head < Math.max(1, s.heads); head++) {
            for (int i = first; i < s.rows.count; i++) {
                int row = s.rows.index(i);
                for (int j = 0; j < s.cols.count; j++) {
                    value(w, s.at(head, row, s.cols.index(j)), unit);
                }
            }
        }
        w.endArray();
        w.endObject();
    }

    /** k = round(v / unit); −∞ (masked) as null, NaN / +∞ as strings read back with Number(). */
    private static void value(JsonWriter w, float v, double unit) throws IOException {
        if (v == Float.NEGATIVE_INFINITY) {
            w.nullValue();
        } else if (!Float.isFinite(v)) {
            w.value(Float.toString(v));
        } else {
            w.value(Math.round(v / unit));
        }
    }
}
