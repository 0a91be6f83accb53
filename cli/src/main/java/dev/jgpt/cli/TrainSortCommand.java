package dev.jgpt.cli;

import dev.jgpt.model.Gpt;
import dev.jgpt.model.InvalidInputException;
import dev.jgpt.model.SortTask;
import dev.jgpt.model.SortVocabulary;
import dev.jgpt.model.io.AtomicFiles;
import dev.jgpt.model.io.Cleanup;
import dev.jgpt.model.io.LlmVizJson;
import dev.jgpt.model.io.ModelWriter;
import dev.jgpt.train.SortData;
import dev.jgpt.train.SortTrainer;
import dev.jgpt.train.TrainProgress;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gpt train-sort}: train the nano sort model with minGPT's recipe, write it, and measure it. */
@Command(name = "train-sort", mixinStandardHelpOptions = true,
        description = {"Train the sort model (minGPT's sort demo: 3 layers, 3 heads, width 48, AdamW) in Java and "
                + "write it as a model folder (config.json + model.safetensors).",
            "Then prints how many of all 729 inputs it sorts, and of the train and test splits, loading the written "
                + "model like 'gpt sort' does. The same seed gives bit-identical weights."})
final class TrainSortCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelFolderOutput output = new ModelFolderOutput();

    @Option(names = "--iters", paramLabel = "N", defaultValue = "" + SortTrainer.DEFAULT_ITERS,
            description = "Optimisation steps (default: ${DEFAULT-VALUE}).")
    int iters;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "" + SortTrainer.DEFAULT_SEED,
            description = "Seed of the initial weights and of the batches (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "" + SortTrainer.DEFAULT_BATCH,
            description = "Sequences per step (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--backend", paramLabel = "NAME",
            description = "Backend that runs the accuracy check (else -Dgpt.backend, GPT_BACKEND, gpt.properties, "
                    + "best rank). Training itself runs on plain Java arrays.")
    String backend;

    @Override
    public Integer call() {
        if (iters < 1) {
            throw new InvalidInputException("--iters must be at least 1, got " + iters);
        }
        if (batch < 1) {
            throw new InvalidInputException("--batch must be at least 1, got " + batch);
        }
        Path out = output.checked();
        checkWritable(out); // fail now, not after the training
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        Progress progress = new Progress(err, System.console() != null);
        long start = System.nanoTime();
        Map<String, LlmVizJson.Entry> weights = SortTrainer.train(seed, iters, batch, progress);
        double seconds = (System.nanoTime() - start) / 1e9;
        try {
            ModelWriter.write(out, SortTrainer.config(), weights, "F32", "");
        } catch (IOException e) {
            throw output.failed(e);
        }
        stdout.printf(Locale.ROOT, "trained %d steps (seed %d, batch %d) in %.1f s, %.1f it/s; final loss %.6f%n",
                iters, seed, batch, seconds, iters / seconds, progress.lastLoss);
        stdout.println("wrote " + out);
        stdout.println(accuracy(out));
        stdout.flush();
        return ExitCodes.OK;
    }

    /** Sorts all 729 inputs with the written model, loaded as {@code gpt sort} loads it. */
    private String accuracy(Path out) {
        String[] inputs = new String[SortData.COUNT];
        String[] expected = new String[SortData.COUNT];
        for (int i = 0; i < SortData.COUNT; i++) {
            int[] digits = SortData.sequence(i);
            inputs[i] = SortVocabulary.decode(digits);
            Arrays.sort(digits);
            expected[i] = SortVocabulary.decode(digits);
        }
        String[] sorted;
        try (Gpt gpt = Wiring.load(backend, out)) {
            sorted = new SortTask(gpt).sort(inputs);
        }
        int[] right = new int[2];
        int[] total = new int[2];
        for (int i = 0; i < SortData.COUNT; i++) {
            int split = SortData.isTest(SortData.sequence(i)) ? 1 : 0;
            total[split]++;
            if (sorted[i].equals(expected[i])) {
                right[split]++;
            }
        }
        return String.format(Locale.ROOT, "accuracy: all %d/%d, train %d/%d, test %d/%d", right[0] + right[1],
                SortData.COUNT, right[0], total[0], right[1], total[1]);
    }

    private void checkWritable(Path dir) {
        try {
            AtomicFiles.createFolder(dir); // removed again if the run fails or is interrupted while still empty
            Path probe = Cleanup.createTempFile(dir, ".train-sort-", ".probe");
            Cleanup.deleteTemp(probe);
        } catch (IOException e) {
            throw output.failed(e);
        }
    }

    /**
     * The progress bar on stderr: iteration, loss, it/s and ETA. On a terminal one line is redrawn with {@code \r}
     * (at most 10 times a second); otherwise (a pipe, a log) one line is printed every 10% of the run.
     */
    static final class Progress implements TrainProgress {
        private static final int WIDTH = 24;
        private final PrintWriter err;
        private final boolean terminal;
        private long lastDraw = -1;
        private int lastLength;
        private int lastDecile;
        double lastLoss = Double.NaN;

        Progress(PrintWriter err, boolean terminal) {
            this.err = err;
            this.terminal = terminal;
        }

        @Override
        public void onStep(int iter, int iters, double loss, long elapsedNanos) {
            lastLoss = loss;
            boolean done = iter == iters;
            if (terminal) {
                if (done || lastDraw < 0 || elapsedNanos - lastDraw >= 100_000_000L) {
                    lastDraw = elapsedNanos;
                    String text = line(iter, iters, loss, elapsedNanos);
                    // blanks over the end of a longer previous line
                    String pad = " ".repeat(Math.max(0, lastLength - text.length()));
                    lastLength = text.length();
                    err.print("\r" + text + pad + (done ? "\n" : ""));
                    err.flush();
                }
            } else {
                int decile = (int) (10L * iter / iters);
                if (decile > lastDecile || done) {
                    lastDecile = decile;
                    err.println(line(iter, iters, loss, elapsedNanos));
                    err.flush();
                }
            }
        }

        static String line(int iter, int iters, double loss, long elapsedNanos) {
            int filled = (int) ((long) WIDTH * iter / iters);
            String bar = "#".repeat(filled) + ".".repeat(WIDTH - filled);
            double seconds = elapsedNanos / 1e9;
            double rate = seconds > 0 ? iter / seconds : 0;
            double eta = rate > 0 ? (iters - iter) / rate : 0;
            return String.format(Locale.ROOT, "[%s] %d/%d  loss %.4f  %.1f it/s  ETA %s", bar, iter, iters, loss,
                    rate, duration(eta));
        }

        static String duration(double seconds) {
            long s = Math.round(seconds);
            return s >= 60 ? (s / 60) + "m" + String.format(Locale.ROOT, "%02d", s % 60) + "s" : s + "s";
        }
    }
}
