package dev.jgpt.spark;

import dev.jgpt.cli.OutputException;
import dev.jgpt.model.Words;
import java.io.IOException;
import java.util.UUID;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;

/**
 * Writes {@code gpt batch}'s results all or nothing: Spark's committer writes them into a hidden folder beside the
 * output, which is renamed to the output only once the job has succeeded (a failed job leaves no folder that looks
 * complete, and removes its own). An existing output is replaced only with {@code --force}, and only after the new one
 * is complete.
 */
final class BatchOutput {
    enum Format { jsonl, parquet, text }

    private final Path target;
    private final FileSystem fs;
    private Path staging;

    BatchOutput(org.apache.hadoop.conf.Configuration conf, String output) {
        this.target = new Path(output);
        try {
            this.fs = target.getFileSystem(conf);
        } catch (IOException e) {
            throw new OutputException("cannot write " + output + ": " + Messages.of(e), e);
        }
    }

    /**
     * Refuses, before any work, an output that exists unless {@code force}.
     *
     * @throws OutputException naming the output and what to do
     */
    static void check(org.apache.hadoop.conf.Configuration conf, String output, boolean force) {
        new BatchOutput(conf, output).check(force);
    }

    private void check(boolean force) {
        try {
            if (fs.exists(target) && !force) {
                throw new OutputException(target + " already exists; pass --force to replace it, or choose another "
                        + "--output", null);
            }
        } catch (IOException e) {
            throw new OutputException("cannot write " + target + ": " + Messages.of(e), e);
        }
    }

    /** Writes {@code results} (ordered by row) as {@code format}, then puts them in place. */
    void write(Dataset<Row> results, Format format, boolean force) {
        staging = new Path(target.getParent(), "." + target.getName() + ".tmp-" + UUID.randomUUID());
        Thread interrupted = onInterrupt(staging);
        try {
            switch (format) {
                case jsonl -> results.write().json(staging.toString());
                case parquet -> results.write().parquet(staging.toString());
                case text -> results.map((MapFunction<Row, String>) BatchOutput::textLine, Encoders.STRING())
                        .write().text(staging.toString());
            }
            replace(staging, force);
            if (interrupted != null) {
                Runtime.getRuntime().removeShutdownHook(interrupted);
            }
        } catch (IOException e) {
            deleteQuietly(staging);
            throw new OutputException("cannot write " + target + ": " + Messages.of(e), e);
        } catch (Exception e) { // the job failed (SparkException is checked, and undeclared): nothing stays behind
            deleteQuietly(staging);
            throw SparkFailures.unwrap(e);
        }
    }

    /**
     * On a local file system, a shutdown hook that removes the hidden folder if the run is interrupted (Ctrl-C,
     * SIGTERM) before it is in place: plain file deletion, as Hadoop's file systems close in their own hook.
     */
    private Thread onInterrupt(Path folder) {
        if (!"file".equals(fs.getUri().getScheme())) {
            return null;
        }
        java.nio.file.Path local = java.nio.file.Path.of(fs.makeQualified(folder).toUri());
        Thread t = new Thread(() -> {
            try (java.util.stream.Stream<java.nio.file.Path> all = java.nio.file.Files.walk(local)) {
                all.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException | RuntimeException e) {
                // best effort: the process is ending
            }
        }, "gpt-batch-cleanup");
        Runtime.getRuntime().addShutdownHook(t);
        return t;
    }

    /** A row of the text format: the completion, control characters escaped; a row that failed, an empty line. */
    static String textLine(Row r) {
        Object completion = r.getAs(OutputColumns.COMPLETION);
        return completion == null ? "" : Words.escape((String) completion);
    }

    private void replace(Path staging, boolean force) throws IOException {
        Path old = null;
        if (fs.exists(target)) {
            check(force);
            old = new Path(target.getParent(), "." + target.getName() + ".old-" + UUID.randomUUID());
            rename(target, old);
        }
        rename(staging, target);
        staging = null;
        if (old != null) {
            fs.delete(old, true);
        }
    }

    private void rename(Path from, Path to) throws IOException {
        if (!fs.rename(from, to)) {
            throw new IOException("the file system refused to rename " + from + " to " + to);
        }
    }

    private void deleteQuietly(Path p) {
        try {
            fs.delete(p, true);
        } catch (IOException e) {
            // the failure that got us here is the one to report
        }
    }

    /**
     * Removes what a failed job left in its hidden folder: called again once Spark has stopped, as the tasks of an
     * aborted job may still be writing when the failure reaches the driver.
     */
    void cleanUp() {
        if (staging != null) {
            deleteQuietly(staging);
        }
    }

    /** The output as a Spark path, for messages. */
    String path() {
        return target.toString();
    }
}
