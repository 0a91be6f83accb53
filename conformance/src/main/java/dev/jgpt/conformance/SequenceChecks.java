package dev.jgpt.conformance;

import static dev.jgpt.conformance.Tolerances.MAX_TIE_FRACTION;
import static dev.jgpt.conformance.Tolerances.TIE_MARGIN;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jgpt.api.Tensor;
import dev.jgpt.api.TensorBackend;
import dev.jgpt.model.Gpt;
import dev.jgpt.model.Sampler;
import dev.jgpt.model.Trace;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sequence level: greedy token sequences of one backend against the reference (plain).
 *
 * <p>The reference generates every prompt greedily (with KV caches, through the model's {@code Generator}), then runs
 * each finished sequence once more without a cache, all positions at once ("teacher forcing"): those logits give the
 * top-2 margin of every step, and their argmax must reproduce the generated token (cache and no-cache paths agree).
 * A step whose margin is below {@link Tolerances#TIE_MARGIN} is a tie.
 *
 * <p>The backend under test is then checked both ways: its own greedy generation (KV cache path, prompts of one length
 * batched) must give the reference's tokens up to the first tie of each prompt; and its teacher-forced logits over the
 * reference sequences (no cache) must have the reference token as argmax at every step that is not a tie. The check
 * fails on any difference, or when ties exceed {@link Tolerances#MAX_TIE_FRACTION} of the steps.
 */
public final class SequenceChecks {
    /** Most messages quoted in a failure. */
    private static final int QUOTE = 8;

    private SequenceChecks() {
    }

    /** The reference run: prompts, their greedy continuations, and the margin of every step. */
    public static final class Reference {
        final String label;
        final List<int[]> prompts;
        final int[] newTokens;
        final int[][] sequences;
        final double[][] margins;
        final List<String> inconsistencies = new ArrayList<>();

        Reference(String label, List<int[]> prompts, int[] newTokens) {
            this.label = label;
            this.prompts = prompts;
            this.newTokens = newTokens;
            this.sequences = new int[prompts.size()][];
            this.margins = new double[prompts.size()][];
        }

        /** Total greedy steps over all prompts. */
        public int steps() {
            return Arrays.stream(newTokens).sum();
        }

        /** The ties: "prompt #i step s (margin m)". */
        public List<String> ties() {
            List<String> ties = new ArrayList<>();
            for (int i = 0; i < margins.length; i++) {
                for (int s = 0; s < margins[i].length; s++) {
                    if (margins[i][s] < TIE_MARGIN) {
                        ties.add(String.format("prompt #%d (length %d) step %d (margin %.2e)", i, prompts.get(i).length,
                                s, margins[i][s]));
                    }
                }
            }
            return ties;
        }

        /** The reference's token sequences (prompt followed by the generated tokens). */
        public int[][] sequences() {
            return sequences;
        }

        int firstTie(int i) {
            for (int s = 0; s < margins[i].length; s++) {
                if (margins[i][s] < TIE_MARGIN) {
                    return s;
                }
            }
            return margins[i].length;
        }
    }

    /** The outcome of checking one backend against a reference. */
    public static final class Report {
        final String backend;
        final Reference ref;
        final List<String> mismatches = new ArrayList<>();
        int generatedCompared;
        int forcedCompared;
        int[][] generated;

        Report(String backend, Reference ref) {
            this.backend = backend;
            this.ref = ref;
        }

        /** The backend's own greedy sequences. */
        public int[][] generated() {
            return generated;
        }

        /** One line for the log. */
        public String summary() {
            List<String> ties = ref.ties();
            return String.format("[%s vs %s] %s: %d prompts, %d steps, %d ties (%.2f%%)%s; generation: %d steps "
                    + "compared; teacher-forced: %d steps compared; %s", backend, ConformanceBase.REFERENCE,
                    ref.label, ref.prompts.size(), ref.steps(), ties.size(), 100.0 * ties.size() / ref.steps(),
                    ties.isEmpty() ? "" : " " + ties.subList(0, Math.min(QUOTE, ties.size())),
                    generatedCompared, forcedCompared,
                    mismatches.isEmpty() ? "identical" : mismatches.size() + " MISMATCHES");
        }

        /** Fails unless the sequences agree and ties stay within the allowed fraction. */
        public void assertOk() {
            if (!ref.inconsistencies.isEmpty()) {
                fail(ref.label + ": the reference backend is inconsistent with itself (cached generation vs full "
                        + "forward), " + ref.inconsistencies.size() + " steps: " + quote(ref.inconsistencies));
            }
            if (!mismatches.isEmpty()) {
                fail(backend + " differs from " + ConformanceBase.REFERENCE + " on " + ref.label + " in "
                        + mismatches.size() + " places: " + quote(mismatches));
            }
            int ties = ref.ties().size();
            if (ties > MAX_TIE_FRACTION * ref.steps()) {
                fail(ref.label + ": " + ties + " of " + ref.steps() + " steps are ties (top-2 margin < " + TIE_MARGIN
                        + "), more than " + (100 * MAX_TIE_FRACTION) + "%: " + quote(ref.ties()));
            }
        }
    }

    private static String quote(List<String> items) {
        return String.join("; ", items.subList(0, Math.min(QUOTE, items.size())))
                + (items.size() > QUOTE ? "; ..." : "");
    }

    /**
     * Runs the reference.
     *
     * @param newTokens new tokens per prompt
     */
    public static Reference reference(String label, Gpt ref, List<int[]> prompts, int[] newTokens) {
        Reference r = new Reference(label, prompts, newTokens);
        for (List<Integer> group : groups(prompts, newTokens).values()) {
            int[][] out = generate(ref, prompts, newTokens, group);
            for (int g = 0; g < group.size(); g++) {
                r.sequences[group.get(g)] = out[g];
            }
            float[][] logits = teacherForced(ref, r.sequences, group);
            int vocab = ref.config().vocabSize;
            for (int g = 0; g < group.size(); g++) {
                int i = group.get(g);
                int len = prompts.get(i).length;
                int n = newTokens[i];
                int time = len + n - 1;
                r.margins[i] = new double[n];
                for (int s = 0; s < n; s++) {
                    float[] row = Arrays.copyOfRange(logits[g], (len - 1 + s) * vocab, (len + s) * vocab);
                    r.margins[i][s] = margin(row);
                    int best = Sampler.argmax(row);
                    int want = r.sequences[i][len + s];
                    if (best != want && r.margins[i][s] >= TIE_MARGIN) {
                        r.inconsistencies.add(String.format("prompt #%d step %d: generated %d but the full forward "
                                + "(T=%d) argmax is %d (margin %.3g)", i, s, want, time, best, r.margins[i][s]));
                    }
                }
            }
        }
        return r;
    }

    /** Checks {@code other} against the reference. */
    public static Report compare(Reference ref, Gpt other, String backendName) {
        Report rep = new Report(backendName, ref);
        rep.generated = new int[ref.prompts.size()][];
        int vocab = other.config().vocabSize;
        for (List<Integer> group : groups(ref.prompts, ref.newTokens).values()) {
            int[][] out = generate(other, ref.prompts, ref.newTokens, group);
            float[][] logits = teacherForced(other, ref.sequences, group);
            for (int g = 0; g < group.size(); g++) {
                int i = group.get(g);
                rep.generated[i] = out[g];
                int len = ref.prompts.get(i).length;
                int tie = ref.firstTie(i);
                for (int s = 0; s < tie; s++) {
                    int want = ref.sequences[i][len + s];
                    int got = out[g][len + s];
                    if (got != want) {
                        rep.mismatches.add(String.format("generation, prompt #%d (length %d) step %d: %s chose %d, "
                                + "%s chose %d (reference margin %.3g)", i, len, s, ConformanceBase.REFERENCE, want,
                                rep.backend, got, ref.margins[i][s]));
                        break;
                    }
                    rep.generatedCompared++;
                }
                for (int s = 0; s < ref.newTokens[i]; s++) {
                    if (ref.margins[i][s] < TIE_MARGIN) {
                        continue;
                    }
                    float[] row = Arrays.copyOfRange(logits[g], (len - 1 + s) * vocab, (len + s) * vocab);
                    int want = ref.sequences[i][len + s];
                    int got = Sampler.argmax(row);
                    if (got != want) {
                        rep.mismatches.add(String.format("teacher-forced, prompt #%d (length %d) step %d: %s's "
                                + "argmax %d (logit %.6g) but %s chose %d (logit here %.6g, reference margin %.3g)",
                                i, len, s, rep.backend, got, row[got], ConformanceBase.REFERENCE, want, row[want],
                                ref.margins[i][s]));
                    } else {
                        rep.forcedCompared++;
                    }
                }
            }
        }
        return rep;
    }

    /** Prompt indices grouped by (length, new tokens), so that each group runs as one batch. */
    private static Map<String, List<Integer>> groups(List<int[]> prompts, int[] newTokens) {
        Map<String, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < prompts.size(); i++) {
            groups.computeIfAbsent(prompts.get(i).length + "/" + newTokens[i], k -> new ArrayList<>()).add(i);
        }
        return groups;
    }

    private static int[][] generate(Gpt gpt, List<int[]> prompts, int[] newTokens, List<Integer> group) {
        int[][] batch = new int[group.size()][];
        for (int g = 0; g < batch.length; g++) {
            batch[g] = prompts.get(group.get(g));
        }
        return gpt.generator().generate(batch, newTokens[group.get(0)]);
    }

    /**
     * One forward without cache over the first len + n − 1 tokens of each sequence of the group (the last generated
     * token is never fed back); returns each row's logits [T·V].
     */
    private static float[][] teacherForced(Gpt gpt, int[][] sequences, List<Integer> group) {
        int time = sequences[group.get(0)].length - 1;
        int batch = group.size();
        int[] ids = new int[batch * time];
        for (int g = 0; g < batch; g++) {
            System.arraycopy(sequences[group.get(g)], 0, ids, g * time, time);
        }
        TensorBackend backend = gpt.backend();
        Tensor logits = gpt.forwardAll(ids, batch, time, Trace.OFF);
        float[] host = backend.toArray(logits);
        backend.release(logits);
        int per = host.length / batch;
        float[][] rows = new float[batch][];
        for (int g = 0; g < batch; g++) {
            rows[g] = Arrays.copyOfRange(host, g * per, (g + 1) * per);
        }
        return rows;
    }

    /** Top-1 minus top-2 logit. */
    static double margin(float[] logits) {
        double first = Double.NEGATIVE_INFINITY;
        double second = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            if (v > first) {
                second = first;
                first = v;
            } else if (v > second) {
                second = v;
            }
        }
        return first - second;
    }
}
