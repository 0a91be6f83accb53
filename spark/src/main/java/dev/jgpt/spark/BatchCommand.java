package dev.jgpt.spark;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;

import dev.jgpt.cli.ExtensionCommand;
import dev.jgpt.cli.ModelOptions;
import dev.jgpt.model.InvalidInputException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gpt batch}: generation for a file (or folder) of prompts on Apache Spark, results written all or nothing. */
@Command(name = "batch", mixinStandardHelpOptions = true,
        description = {"Continue every prompt of a file or folder on Apache Spark (an embedded local Spark unless "
                + "--master or spark-submit says otherwise), and write one result per prompt with its row number.",
            "Rows that cannot run get their error in the 'error' column; the job goes on (unless --fail-on-error)."})
public final class BatchCommand implements Callable<Integer>, ExtensionCommand {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions options = new ModelOptions();

    @Option(names = "--input", required = true, paramLabel = "FILE|DIR",
            description = "Prompts: JSONL ({\"prompt\": text or [ids], \"id\": …, \"seed\": …} per line), text (one "
                    + "prompt per line) or Parquet (a 'prompt' column); a folder of such files.")
    String input;

    @Option(names = "--input-format", paramLabel = "FORMAT",
            description = "jsonl, text or parquet (default: by the extension: .jsonl/.json, .parquet, else text).")
    BatchInput.Format inputFormat;

    @Option(names = "--output", required = true, paramLabel = "DIR",
            description = "The results folder (Spark part files); refused if it exists, unless --force.")
    String output;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "jsonl",
            description = "jsonl (default), parquet, or text (one completion per line, in input order).")
    BatchOutput.Format format;

    @Option(names = "--force", description = "Replace --output if it exists (once the new results are complete).")
    boolean force;

    @Option(names = "--master", paramLabel = "URL",
            description = "Spark master: local[N] (default local[*], with 4 attempts per task as on a cluster), or "
                    + "a cluster's URL; under spark-submit, its own.")
    String master;

    @Option(names = "--max-new-tokens", paramLabel = "N",
            description = "Tokens to generate per prompt (default: 16, or what the context leaves room for).")
    Integer maxNewTokens;

    @Option(names = "--temperature", paramLabel = "T", description = "Sample from softmax(logits / T), T > 0.")
    Double temperature;

    @Option(names = "--top-k", paramLabel = "K", description = "Sample among the K most likely tokens (K ≥ 1).")
    Integer topK;

    @Option(names = "--top-p", paramLabel = "P", description = "Sample within top probability P, 0 < P ≤ 1.")
    Double topP;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
            description = "Seed of the prompts without their own (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--stop", paramLabel = "TEXT", description = "Stop a prompt's generation at this text; repeat.")
    List<String> stop = List.of();

    @Option(names = "--max-batch", paramLabel = "N", defaultValue = "64",
            description = "Most prompts in one forward pass per executor (default: ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(names = "--kv-cache-mb", paramLabel = "MB", defaultValue = "1024",
            description = "KV cache per executor in MiB (default: ${DEFAULT-VALUE}); prompts wait for room.")
    int kvCacheMb;

    @Option(names = "--partitions", paramLabel = "N",
            description = "Partitions of the input (default: 4 per core of the cluster, at most one per prompt).")
    Integer partitions;

    @Option(names = "--fail-on-error", description = "Fail the job on the first prompt that cannot run.")
    boolean failOnError;

    @Override
    public Integer call() {
        boolean verbose = spec.commandLine().getParent().getParseResult().hasMatchedOption("--verbose");
        SparkLogging.quiet(verbose);
        if (partitions != null && partitions < 1) {
            throw new InvalidInputException("--partitions must be 1 or more, got " + partitions);
        }
        GptTransformer generate = transformer();
        GenerationSettings settings = generate.settings(); // settings and backend checked before Spark starts
        // the model loads here first, while Spark starts: a bad one fails before any job
        CompletableFuture<SharedEngine> model = CompletableFuture.supplyAsync(() -> ExecutorModels.engine(settings));
        PrintWriter err = spec.commandLine().getErr();
        org.apache.hadoop.conf.Configuration files = new org.apache.hadoop.conf.Configuration();
        BatchInput.checkExists(files, input); // before Spark starts: a missing input or existing output fails at once
        BatchOutput.check(files, output, force);
        SparkSession spark = LocalSpark.session(master);
        try {
            loaded(model);
        } catch (RuntimeException e) {
            spark.stop();
            throw e;
        }
        BatchOutput out = new BatchOutput(spark.sparkContext().hadoopConfiguration(), output);
        try {
            BatchOutput.check(spark.sparkContext().hadoopConfiguration(), output, force);
            long[] total = new long[1];
            Dataset<Row> prompts = read(spark, total); // numbered, counted, in row ranges: one job
            try (BatchProgress progress = new BatchProgress(spark, total[0], err)) {
                Dataset<Row> results = generate.transform(prompts)
                        .withColumn(OutputColumns.ERROR, coalesce(col(BatchInput.INPUT_ERROR),
                                col(OutputColumns.ERROR)))
                        .drop(BatchInput.INPUT_ERROR);
                out.write(progress.counted(results).sortWithinPartitions(BatchInput.ROW), format, force);
                progress.finish(out.path() + " (" + format + ")");
            } catch (Exception e) { // SparkException is checked, and undeclared
                throw SparkFailures.unwrap(e);
            }
        } finally {
            spark.stop();
            out.cleanUp();
        }
        return 0;
    }

    /** Waits for the model, passing on its load's own error. */
    private static void loaded(CompletableFuture<SharedEngine> model) {
        try {
            model.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    private Dataset<Row> read(SparkSession spark, long[] total) {
        BatchInput.Format f = inputFormat != null ? inputFormat : BatchInput.byName(input);
        BatchInput.checkExists(spark.sparkContext().hadoopConfiguration(), input);
        try {
            return BatchInput.read(spark, input, f, partitions, total);
        } catch (Exception e) {
            throw SparkFailures.unreadable(input, e);
        }
    }

    private GptTransformer transformer() {
        String model = null;
        if (options.model != null) { // absolute where it exists here, so local executors find it whatever their folder
            Path m = options.model;
            model = (Files.exists(m) ? m.toAbsolutePath().normalize() : m).toString();
        }
        GptTransformer t = new GptTransformer().setInputCol("prompt").setSeedCol("seed").setSeed(seed)
                .setMaxBatch(maxBatch).setKvCacheMb(kvCacheMb).setFailOnError(failOnError).setStop(stop.toArray(new String[0]));
        if (model != null) {
            t.setModel(model);
        }
        if (options.backend != null) {
            t.setBackend(options.backend);
        }
        if (maxNewTokens != null) { // its range, top-k's and top-p's: checked by GenerationSettings
            t.setMaxNewTokens(maxNewTokens);
        }
        if (temperature != null) {
            if (!(temperature > 0)) { // the transformer reads 0 as greedy; the flag, as gpt generate's, refuses it
                throw new InvalidInputException("--temperature must be above 0, got " + temperature);
            }
            t.setTemperature(temperature);
        }
        if (topK != null) {
            t.setTopK(topK);
        }
        if (topP != null) {
            t.setTopP(topP);
        }
        return t;
    }
}
