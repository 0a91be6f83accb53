package dev.jgpt.spark;

import org.apache.spark.TaskContext;

/**
 * A test hook: with the system property {@value #PROPERTY} set to N, the first attempt of partition 0 fails after
 * handing out N rows, so tests can see Spark retry it and the output stay complete, without duplicates. Off unless set.
 */
final class FailureInjection {
    static final String PROPERTY = "jgpt.spark.failAfterRows";
    private static final FailureInjection OFF = new FailureInjection(-1);

    private final long after;

    private FailureInjection(long after) {
        this.after = after;
    }

    /** The hook for the running task: armed only in the first attempt of partition 0 while the property is set. */
    static FailureInjection forThisTask() {
        String v = System.getProperty(PROPERTY);
        TaskContext task = TaskContext.get();
        if (v == null || task == null || task.partitionId() != 0 || task.attemptNumber() != 0) {
            return OFF;
        }
        return new FailureInjection(Long.parseLong(v.strip()));
    }

    /** Fails when {@code emitted} rows have gone out and the hook is armed. */
    void maybeFail(long emitted) {
        if (after >= 0 && emitted == after) {
            throw new IllegalStateException("injected failure after " + after + " rows (test hook " + PROPERTY + ")");
        }
    }
}
