package dev.jgpt.walkthrough.explain;

import dev.jgpt.model.GptConfig;
import dev.jgpt.model.Tokenizer;
import dev.jgpt.model.Words;
import dev.jgpt.walkthrough.TraceRecorder;
import dev.jgpt.walkthrough.Walkthrough;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * The walkthrough in the terminal: section by section, one or two plain sentences and the real numbers of this run.
 * Vectors show their first values, matrices at most {@link #MAX_ROWS} positions.
 */
public final class Explainer {
    static final int MAX_ROWS = 12;

    private final Walkthrough run;
    private final Tokenizer tokenizer;
    private final PrintWriter out;
    private final Style style;

    public Explainer(Walkthrough run, Tokenizer tokenizer, PrintWriter out, Style style) {
        this.run = run;
        this.tokenizer = tokenizer;
        this.out = out;
        this.style = style;
    }

    /** Prints every section for generation step {@code step}, then the loop, ending with the generated text. */
    public void explain(int step) {
        Walkthrough.StepTrace s = run.steps.get(step);
        TraceRecorder tr = s.trace();
        GptConfig c = run.config;
        int t = s.input().length;
        int first = Math.max(0, t - MAX_ROWS);
        String more = first > 0 ? " (the last " + MAX_ROWS + " of " + t + " positions)" : "";

        section("1. Input", "The prompt is split into tokens, each a number in the vocabulary of " + c.vocabSize
                + ". Step " + step + " feeds " + t + " tokens; every step appends the token it chose and runs again.");
        StringBuilder ids = new StringBuilder();
        for (int i = 0; i < t; i++) {
            ids.append(i == 0 ? "  " : "  ").append(label(s.input()[i])).append("→").append(s.input()[i]);
        }
        out.println(ids);

        section("2. Embedding", "Each token picks its row of the token embedding wte [" + c.vocabSize + "×"
                + c.nEmbd + "], each position its row of wpe [" + c.nPositions + "×" + c.nEmbd
                + "]; their sum x is the start of the residual stream" + more + ".");
        out.println(style.dim(String.format(Locale.ROOT, "  %-" + firstColumn() + "s %-38s %-38s %s", "pos tok",
                "tok_emb", "pos_emb", "x")));
        for (int i = first; i < t; i++) {
            row(String.format(Locale.ROOT, "%3d %s", i, fit(label(s.input()[i]), labelWidth())),
                    Numbers.vector(tr.get("tok_emb"), i, 4), Numbers.vector(tr.get("pos_emb"), i, 4),
                    Numbers.vector(tr.get("x"), i, 4));
        }

        section("3. Layer norm (layer 0, ln_1)", "Each position's vector is shifted to mean 0 and scaled to "
                + "variance 1 (ε = " + c.layerNormEps + "), then multiplied by a learned weight and shifted by a "
                + "learned bias.");
        out.println(style.dim("  pos  mean of x  variance of x  ln1"));
        for (int i = first; i < t; i++) {
            double[] mv = Numbers.meanVariance(tr.get("x"), i);
            out.println(String.format(Locale.ROOT, "  %3d  %9.5f  %13.5f  %s", i, mv[0], mv[1],
                    Numbers.vector(tr.get("ln1"), i)));
        }

        int a = c.headSize();
        section("4. Self-attention (layer 0, head 0 of " + c.nHead + ")", "c_attn turns each normalised vector "
                + "into a query, a key and a value of " + a + " numbers per head. Each query is dotted with the keys "
                + "of its own and earlier positions and scaled by 1/√" + a + " = " + Numbers.num(1 / Math.sqrt(a))
                + "; later positions are masked (·), so a token never sees the future.");
        out.println(style.dim("  scores q·k/√A (att), rows = queries, columns = keys" + more + ":"));
        matrix(tr.get("att"), t, first);
        out.println(style.dim("  softmax of each row (attSm), the max subtracted first; masked entries get 0:"));
        matrix(tr.get("attSm"), t, first);
        out.println("  Each position's output is the softmax-weighted sum of the value vectors; the " + c.nHead
                + " heads' outputs are concatenated into y (" + c.nEmbd + " wide).");

        section("5. Projection and residual", "c_proj mixes the heads (yProj), and the result is added to x: "
                + "attnResid = x + yProj. The residual stream carries each layer's contribution forward.");
        out.println(style.dim(String.format(Locale.ROOT, "  %-" + firstColumn() + "s %-38s %s", "pos", "yProj",
                "attnResid")));
        for (int i = first; i < t; i++) {
            row(String.format(Locale.ROOT, "%3d", i), Numbers.vector(tr.get("yProj"), i, 4),
                    Numbers.vector(tr.get("attnResid"), i, 4), "");
        }

        int last = t - 1;
        section("6. MLP", "ln_2 normalises again; c_fc expands " + c.nEmbd + " → " + 4 * c.nEmbd + ", GELU ("
                + c.gelu.name().toLowerCase(Locale.ROOT) + " form) lets positive values through and squashes "
                + "negative ones toward 0, c_proj brings it back to " + c.nEmbd + ", and the result is added to the "
                + "residual. For the last position (" + last + "):");
        out.println("  fc       " + Numbers.vector(tr.get("fc"), last));
        out.println("  gelu     " + Numbers.vector(tr.get("gelu"), last));
        out.println("  mlp      " + Numbers.vector(tr.get("mlp"), last));
        out.println("  mlpResid " + Numbers.vector(tr.get("mlpResid"), last));

        section("7. The stack of blocks", "That was block 0. " + c.nLayer + " blocks of the same shape run one "
                + "after the other, each reading and adding to the residual stream. Its length at the last position:");
        for (int l = 0; l < c.nLayer; l++) {
            out.println(String.format(Locale.ROOT, "  after block %-3d |x| = %s", l,
                    Numbers.num(Numbers.norm(tr.get("block" + l), last))));
        }

        section("8. Output", "ln_f normalises the last position; multiplying by the LM head ("
                + (c.tieWordEmbeddings ? "the token embedding itself" : "its own weight") + ") gives one logit per "
                + "token; softmax(logits / temperature) gives probabilities (" + run.sampling + ").");
        printTop(s);

        section("9. The loop", "The chosen token is appended and the model runs again, until " + run.steps.size()
                + " tokens are generated.");
        for (int i = 0; i < run.steps.size(); i++) {
            Walkthrough.StepTrace st = run.steps.get(i);
            String line = String.format(Locale.ROOT, "  step %d: %s → %s (p = %.3f)", i,
                    text(st.input(), Math.max(0, st.input().length - 16)), label(st.chosen()),
                    st.probabilities()[st.chosen()]);
            out.println(i == step ? style.chosen(line) : line);
        }
        int[] all = run.tokens();
        out.println(tokenizer.decode(java.util.Arrays.copyOfRange(all, run.prompt.length, all.length)));
        out.flush();
    }

    private void printTop(Walkthrough.StepTrace s) {
        Integer[] order = new Integer[s.logits().length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (x, y) -> Double.compare(s.probabilities()[y], s.probabilities()[x]));
        out.println(style.dim(String.format(Locale.ROOT, "  %-10s %10s %14s", "token", "logit", "probability")));
        for (int k = 0; k < Math.min(5, order.length); k++) {
            int id = order[k];
            String line = String.format(Locale.ROOT, "  %-10s %10s %14s", fit(label(id), 10),
                    Numbers.num(s.logits()[id]), String.format(Locale.ROOT, "%.4f", s.probabilities()[id]));
            out.println(id == s.chosen() ? style.chosen(line + "   ← chosen") : line);
        }
    }

    private void matrix(TraceRecorder.Recorded m, int t, int first) {
        StringBuilder header = new StringBuilder("       ");
        for (int j = first; j < t; j++) {
            header.append(Numbers.pad(Integer.toString(j), 7));
        }
        out.println(style.dim(header.toString()));
        int tk = m.shape()[3];
        for (int i = first; i < t; i++) {
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "  %3d  ", i));
            for (int j = first; j < t; j++) {
                float v = m.data()[i * tk + j]; // head 0 of batch 0
                String cell = Numbers.pad(Numbers.num(v), 7);
                sb.append(v == Float.NEGATIVE_INFINITY ? style.dim(cell) : style.value(cell));
            }
            out.println(sb);
        }
    }

    private void section(String title, String text) {
        out.println();
        out.println(style.heading("== " + title + " =="));
        out.println(text);
    }

    private void row(String a, String b, String c, String d) {
        out.println(String.format(Locale.ROOT, "  %-" + firstColumn() + "s %-38s %-38s %s", a, b, c, d)
                .stripTrailing());
    }

    /** Width of a token's label in a table: one letter for the sort model, a quoted BPE token otherwise. */
    private int labelWidth() {
        return run.config.vocabSize <= 26 ? 4 : 12;
    }

    /** Width of the first column of the tables: position and token. */
    private int firstColumn() {
        return 4 + labelWidth();
    }

    /** {@code s} cut to at most {@code width} characters (an ellipsis marks the cut), so columns stay aligned. */
    static String fit(String s, int width) {
        int n = s.codePointCount(0, s.length());
        return n <= width ? s : s.substring(0, s.offsetByCodePoints(0, width - 1)) + "…";
    }

    private String label(int id) {
        String s = Words.escape(tokenizer.decode(new int[] {id}));
        return run.config.vocabSize <= 26 ? s : "'" + s + "'";
    }

    private String text(int[] ids, int from) {
        return (from > 0 ? "…" : "") + Words.escape(tokenizer.decode(java.util.Arrays.copyOfRange(ids, from,
                ids.length)));
    }
}
