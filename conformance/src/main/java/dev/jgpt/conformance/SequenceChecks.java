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
        /** Per prompt, the logits of its n steps, teacher-forced ({@link #stepLogits}), [n·V]. */
        final float[][] stepLogits;
        final List<String> inconsistencies = new ArrayList<>();

        Reference(String label, List<int[]> prompts, int[] newTokens) {
            this.label = label;
            this.prompts = prompts;
            this.newTokens = newTokens;
            this.sequences = new int[prompts.size()][];
            this.margins = new double[prompts.size()][];
            this.stepLogits = new float[prompts.size()][];
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

    /** The first few of {@code items}, joined. */
    static String quote(List<String> items) {
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
        int[][] out = generate(ref, prompts, newTokens);
        System.arraycopy(out, 0, r.sequences, 0, out.length);
        float[][] logits = stepLogits(ref, r.sequences, prompts, newTokens);
        System.arraycopy(logits, 0, r.stepLogits, 0, logits.length);
        int vocab = ref.config().vocabSize;
        for (int i = 0; i < prompts.size(); i++) {
            int len = prompts.get(i).length;
            int n = newTokens[i];
            r.margins[i] = new double[n];
            for (int s = 0; s < n; s++) {
                float[] row = Arrays.copyOfRange(logits[i], s * vocab, (s + 1) * vocab);
                r.margins[i][s] = margin(row);
                int best = Sampler.argmax(row);
                int want = r.sequences[i][len + s];
                if (best != want && r.margins[i][s] >= TIE_MARGIN) {
                    r.inconsistencies.add(String.format("prompt #%d step %d: generated %d but the full forward "
                            + "(T=%d) argmax is %d (margin %.3g)", i, s, want, len + n - 1, best, r.margins[i][s]));
                }
            }
        }
        return r;
    }

    /** Checks {@code other} against the reference. */
    public static Report compare(Reference ref, Gpt other, String backendName) {
        Report rep = new Report(backendName, ref);
        int vocab = other.config().vocabSize;
        rep.generated = generate(other, ref.prompts, ref.newTokens);
        float[][] logits = stepLogits(other, ref.sequences, ref.prompts, ref.newTokens);
        for (int i = 0; i < ref.prompts.size(); i++) {
            int len = ref.prompts.get(i).length;
            int tie = ref.firstTie(i);
            for (int s = 0; s < tie; s++) {
                int want = ref.sequences[i][len + s];
                int got = rep.generated[i][len + s];
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
                float[] row = Arrays.copyOfRange(logits[i], s * vocab, (s + 1) * vocab);
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

    /** Each prompt followed by {@code gpt}'s greedy continuation (KV cache; prompts of one length as one batch). */
    static int[][] generate(Gpt gpt, List<int[]> prompts, int[] newTokens) {
        int[][] sequences = new int[prompts.size()][];
        for (List<Integer> group : groups(prompts, newTokens).values()) {
            int[][] batch = new int[group.size()][];
            for (int g = 0; g < batch.length; g++) {
                batch[g] = prompts.get(group.get(g));
            }
            int[][] out = gpt.generator().generate(batch, newTokens[group.get(0)]);
            for (int g = 0; g < batch.length; g++) {
                sequences[group.get(g)] = out[g];
            }
        }
        return sequences;
    }

    /**
     * {@code gpt}'s logits of every greedy step of each of {@code sequences} (prompt then n new tokens), teacher-forced:
     * one forward without cache over the first len + n − 1 tokens of the sequences of a group (the last token is
     * never fed back), of which the rows of positions len − 1 … len + n − 2 are kept, [n·V] per prompt.
     */
    static float[][] stepLogits(Gpt gpt, int[][] sequences, List<int[]> prompts, int[] newTokens) {
        float[][] steps = new float[prompts.size()][];
        int vocab = gpt.config().vocabSize;
        TensorBackend backend = gpt.backend();
        for (List<Integer> group : groups(prompts, newTokens).values()) {
            int len = prompts.get(group.get(0)).length;
            int time = sequences[group.get(0)].length - 1;
            int batch = group.size();
            int[] ids = new int[batch * time];
            for (int g = 0; g < batch; g++) {
                System.arraycopy(sequences[group.get(g)], 0, ids, g * time, time);
            }
            Tensor logits = gpt.forwardAll(ids, batch, time, Trace.OFF);
            float[] host = backend.toArray(logits);
            backend.release(logits);
            for (int g = 0; g < batch; g++) {
                int from = (g * time + len - 1) * vocab;
                steps[group.get(g)] = Arrays.copyOfRange(host, from, from + newTokens[group.get(g)] * vocab);
            }
        }
        return steps;
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
