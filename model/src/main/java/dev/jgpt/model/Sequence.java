package dev.jgpt.model;

import dev.jgpt.api.BlockPool;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * One sequence in an {@link Engine}: its tokens so far (prompt, then generated), how many of them are in the KV
 * cache, its cache blocks, its own sampler, and, once it has ended, why. Read it from the engine's thread.
 */
public final class Sequence {
    private final long id;
    private final Request request;
    private final Sampler sampler;
    private final StopStrings stops;
    private int[] tokens;
    private int length;
    /** Positions already in the KV cache. */
    int cached;
    /** The KV cache blocks holding positions [0, cached), in order. */
    int[] blocks = new int[0];
    /** Blocks reserved for this sequence's whole life (taken as it grows). */
    int reserved;
    private final List<Step> steps = new ArrayList<>();
    private final List<Step> promptSteps = new ArrayList<>();
    private FinishReason finish;
    private String stopMatched;

    Sequence(long id, Request request) {
        this.id = id;
        this.request = request;
        this.sampler = request.sampling().newSampler();
        this.stops = new StopStrings(request.stopStrings(), request.tokenizer());
        this.tokens = Arrays.copyOf(request.prompt(), request.prompt().length + Math.max(1, request.maxNewTokens()));
        this.length = request.prompt().length;
    }

    /** Order of submission, from 0. */
    public long id() {
        return id;
    }

    public Request request() {
        return request;
    }

    /** The prompt followed by the tokens generated so far. */
    public int[] tokens() {
        return Arrays.copyOf(tokens, length);
    }

    /** The tokens generated so far. */
    public int[] generated() {
        return Arrays.copyOfRange(tokens, request.prompt().length, length);
    }

    /** One step per generated token. */
    public List<Step> steps() {
        return Collections.unmodifiableList(steps);
    }

    /**
     * When the request asked ({@link Request#promptSteps}), one step per prompt token after the first: its
     * probability given the tokens before it, and the most likely alternatives there; complete once the sequence has
     * produced its first token (or ended). Empty otherwise.
     */
    public List<Step> promptSteps() {
        return Collections.unmodifiableList(promptSteps);
    }

    /** Scores prompt token {@code i} (≥ 1) from the logits at position i − 1. */
    void scorePrompt(int i, float[] logits) {
        int top = Math.max(1, request.topProbabilities());
        promptSteps.add(Step.of(tokens[i], request.sampling().probabilities(logits), top));
    }

    /** Why it ended, or null while it runs. */
    public FinishReason finishReason() {
        return finish;
    }

    public boolean finished() {
        return finish != null;
    }

    /** The stop string that ended it, or null. */
    public String stopMatched() {
        return stopMatched;
    }

    int length() {
        return length;
    }

    int token(int i) {
        return tokens[i];
    }

    /** Chooses the next token from its logits; records the step; applies the stop conditions. */
    Step accept(float[] logits, int contextLimit) {
        int next = sampler.next(logits);
        if (request.isStopToken(next)) {
            finish = FinishReason.STOP;
            return null;
        }
        Step step = request.topProbabilities() == 0 ? new Step(next, Double.NaN, new int[0], new double[0])
                : Step.of(next, request.sampling().probabilities(logits), request.topProbabilities());
        if (length == tokens.length) {
            tokens = Arrays.copyOf(tokens, tokens.length * 2);
        }
        tokens[length++] = next;
        steps.add(step);
        String stop = stops.find(tokens, request.prompt().length, length);
        if (stop != null) {
            stopMatched = stop;
            finish = FinishReason.STOP;
            return step;
        }
        if (steps.size() >= request.maxNewTokens() || length > contextLimit) {
            finish = FinishReason.LENGTH;
        }
        return step;
    }

    /** Ends a sequence that only scored its prompt (no new tokens asked): no step. */
    Step scoredOnly() {
        finish = FinishReason.LENGTH;
        return null;
    }

    void finish(FinishReason reason) {
        if (finish == null) {
            finish = reason;
        }
    }

    /** Makes sure blocks hold positions [0, positions), taking them from the pool. */
    void growTo(int positions, BlockPool pool) {
        int need = pool.blocksFor(positions) - blocks.length;
        if (need > 0) {
            int[] more = pool.take(need);
            int[] all = Arrays.copyOf(blocks, blocks.length + need);
            System.arraycopy(more, 0, all, blocks.length, need);
            blocks = all;
        }
    }

    @Override
    public String toString() {
        return "Sequence[" + id + ": " + length + " tokens, " + (finish == null ? "running" : finish) + "]";
    }
}
