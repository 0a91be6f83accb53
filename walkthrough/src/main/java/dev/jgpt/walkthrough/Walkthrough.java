package dev.jgpt.walkthrough;

import dev.jgpt.api.Tensor;
import dev.jgpt.model.Gpt;
import dev.jgpt.model.GptConfig;
import dev.jgpt.model.InvalidInputException;
import dev.jgpt.model.PromptFit;
import dev.jgpt.model.Sampler;
import dev.jgpt.model.Sampling;
import dev.jgpt.model.Trace;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A generation with everything visible: for each step, the whole sequence so far is run through the model with a
 * {@link TraceRecorder} (no KV cache, so every step shows every position), and the step keeps the traced tensors,
 * the last position's logits, the probabilities the token was drawn from, and the chosen token.
 */
public final class Walkthrough {
    /**
     * One generation step.
     *
     * @param input         the ids fed to the model at this step
     * @param trace         every traced intermediate of this step's forward pass, or null when the step was not traced
     * @param logits        logits [V] of the last position
     * @param probabilities softmax(logits / temperature)
     * @param chosen        the chosen token
     */
    public record StepTrace(int[] input, TraceRecorder trace, float[] logits, double[] probabilities, int chosen) {
    }

    /** Which steps keep their full trace. */
    @FunctionalInterface
    public interface StepFilter {
        boolean trace(int step);
    }

    public final GptConfig config;
    public final int[] prompt;
    public final Sampling sampling;
    public final List<StepTrace> steps;

    private Walkthrough(GptConfig config, int[] prompt, Sampling sampling, List<StepTrace> steps) {
        this.config = config;
        this.prompt = prompt;
        this.sampling = sampling;
        this.steps = Collections.unmodifiableList(steps);
    }

    /** All ids at the end: the prompt, then every chosen token. */
    public int[] tokens() {
        int[] all = Arrays.copyOf(prompt, prompt.length + steps.size());
        for (int i = 0; i < steps.size(); i++) {
            all[prompt.length + i] = steps.get(i).chosen();
        }
        return all;
    }

    /**
     * Runs {@code maxNewTokens} steps.
     *
     * @throws InvalidInputException for prompts the model cannot take (as generation checks them: {@link PromptFit})
     */
    public static Walkthrough run(Gpt gpt, int[] prompt, int maxNewTokens, Sampling sampling, StepFilter traced) {
        GptConfig c = gpt.config();
        PromptFit.check(prompt, maxNewTokens, c);
        Sampler sampler = sampling.newSampler();
        List<StepTrace> steps = new ArrayList<>();
        int[] seq = prompt.clone();
        for (int s = 0; s < maxNewTokens; s++) {
            TraceRecorder recorder = traced.trace(s) ? new TraceRecorder(gpt.backend()) : null;
            Tensor logits = gpt.forwardAll(seq, 1, seq.length, recorder == null ? Trace.OFF : recorder);
            float[] all = gpt.backend().toArray(logits);
            gpt.backend().release(logits);
            float[] last = Arrays.copyOfRange(all, all.length - c.vocabSize, all.length);
            int next = sampler.next(last);
            steps.add(new StepTrace(seq, recorder, last, sampling.probabilities(last), next));
            seq = Arrays.copyOf(seq, seq.length + 1);
            seq[seq.length - 1] = next;
        }
        return new Walkthrough(c, prompt.clone(), sampling, steps);
    }
}
