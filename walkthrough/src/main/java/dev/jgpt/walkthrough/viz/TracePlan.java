package dev.jgpt.walkthrough.viz;

import dev.jgpt.model.GptConfig;

/**
 * How much of a run the page holds, decided before the run from the model's sizes: the largest heat-map side that
 * keeps one traced step within the page's budget of numbers, and how many generation steps are traced in full (the
 * first ones; every step still shows its output and chosen token). The nano sort model fits entirely; a GPT-2-sized
 * model gets its channels strided and a few traced steps, so the page stays a few MB.
 */
public final class TracePlan {
    /** Numbers the page may hold in all (≈ 4 characters each in the JSON: ≈ 3 MB). */
    public static final long DEFAULT_BUDGET = 800_000;
    /** The largest heat-map side (rows or columns). */
    static final int MAX_SIDE = 64;
    /** Head dimensions shown of q, k and v. */
    static final int MAX_HEAD_DIMS = 16;
    /** Vocabularies up to this size are drawn whole; larger ones show the most likely tokens only. */
    static final int MAX_VOCAB_DRAWN = 64;
    private static final int[] SIDES = {64, 48, 32, 24, 16};

    final GptConfig config;
    final int promptLength;
    final int steps;
    final int tracedSteps;
    final int side;
    /** Whether q, k and v of every head are on the page (left out for models with very many layers × heads). */
    final boolean qkv;
    final long budget;

    private TracePlan(GptConfig config, int promptLength, int steps, int tracedSteps, int side, boolean qkv,
            long budget) {
        this.config = config;
        this.promptLength = promptLength;
        this.steps = steps;
        this.tracedSteps = tracedSteps;
        this.side = side;
        this.qkv = qkv;
        this.budget = budget;
    }

    /**
     * The plan for {@code steps} generation steps after a prompt of {@code promptLength} tokens: the largest side
     * at which step 0 fits the budget with q, k and v, else without them (many layers × heads), else the smallest
     * side without them; then as many steps as fit (step 0 always).
     */
    public static TracePlan of(GptConfig c, int promptLength, int steps, long budget) {
        int side = SIDES[SIDES.length - 1];
        boolean qkv = false;
        search:
        for (boolean withQkv : new boolean[] {true, false}) {
            for (int s : SIDES) {
                if (estimate(c, promptLength, s, false, withQkv) <= budget) {
                    side = s;
                    qkv = withQkv;
                    break search;
                }
            }
        }
        long used = 0;
        int traced = 0;
        for (int s = 0; s < steps; s++) {
            int t = promptLength + s;
            long cost = estimate(c, t, side, s > 0 && t <= side, qkv);
            if (traced > 0 && used + cost > budget) {
                break;
            }
            used += cost;
            traced++;
        }
        return new TracePlan(c, promptLength, steps, traced, side, qkv, budget);
    }

    /** Whether generation step {@code step} keeps its full trace. */
    public boolean traced(int step) {
        return step < tracedSteps;
    }

    public int tracedSteps() {
        return tracedSteps;
    }

    /** Positions axis of a step feeding {@code t} tokens. */
    Axis positions(int t) {
        return Axis.endingAtLast(t, side);
    }

    Axis channels(int width) {
        return Axis.fromStart(width, side);
    }

    Axis headDims() {
        return Axis.fromStart(config.headSize(), Math.min(side, MAX_HEAD_DIMS));
    }

    boolean vocabDrawn() {
        return config.vocabSize <= MAX_VOCAB_DRAWN;
    }

    /**
     * Numbers one traced step of {@code t} tokens puts on the page at heat-map side {@code side}; with {@code delta}
     * only its new position (see {@link TensorMaps}).
     */
    static long estimate(GptConfig c, int t, int side, boolean delta, boolean qkv) {
        long rows = Math.min(t, side);
        long newRows = delta ? 1 : rows;
        long ch = Math.min(c.nEmbd, side);
        long ch4 = Math.min(4L * c.nEmbd, side);
        long dims = Math.min(c.headSize(), Math.min(side, MAX_HEAD_DIMS));
        long perHead = 2 * newRows * rows + (qkv ? 3 * newRows * dims : 0);        // att, attSm; q, k, v
        long perLayer = newRows * (7 * ch + 2 * ch4) + c.nHead * perHead + 4 * rows; // 7 C-wide, fc, gelu; stats
        long whole = newRows * 4 * ch + (long) (c.nLayer + 1) * rows + 64;         // embeddings, ln_f; norms; top-k
        if (c.vocabSize <= MAX_VOCAB_DRAWN) {
            whole += 2 * newRows * c.vocabSize;
        }
        return c.nLayer * perLayer + whole;
    }
}
