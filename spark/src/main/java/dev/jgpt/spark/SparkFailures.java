package dev.jgpt.spark;

import dev.jgpt.api.BackendException;
import dev.jgpt.cli.OutputException;
import dev.jgpt.cli.UsageException;
import dev.jgpt.model.InvalidInputException;
import dev.jgpt.model.ModelLoadException;
import dev.jgpt.model.NonFiniteException;

/** Spark's failures as gpt's own: the cause a task failed with, when it is one of gpt's errors, keeps its exit code. */
final class SparkFailures {
    private SparkFailures() {
    }

    /** The gpt error somewhere in {@code e}'s causes, or a one-line error saying the Spark job failed. */
    static RuntimeException unwrap(Exception e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof InvalidInputException || c instanceof ModelLoadException || c instanceof BackendException
                    || c instanceof NonFiniteException || c instanceof OutputException
                    || c instanceof UsageException) {
                return (RuntimeException) c;
            }
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return new IllegalStateException("the Spark job failed: " + Messages.of(root), e);
    }

    /** The error for an input Spark could not read. */
    static RuntimeException unreadable(String input, Exception e) {
        RuntimeException ours = unwrap(e);
        if (!(ours instanceof IllegalStateException)) {
            return ours;
        }
        return new InvalidInputException("cannot read --input " + input + ": " + Messages.of(e));
    }
}
