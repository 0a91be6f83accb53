package dev.jgpt.train;

/** Told after every optimisation step of {@link SortTrainer}. */
@FunctionalInterface
public interface TrainProgress {
    /** Does nothing. */
    TrainProgress NONE = (iter, iters, loss, elapsedNanos) -> {
    };

    /**
     * @param iter         steps done so far (1 .. iters)
     * @param iters        steps in the run
     * @param loss         the mean cross-entropy of this step's batch (before its update)
     * @param elapsedNanos time since the run started
     */
    void onStep(int iter, int iters, double loss, long elapsedNanos);
}
