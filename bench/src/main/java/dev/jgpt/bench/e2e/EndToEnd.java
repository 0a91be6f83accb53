package dev.jgpt.bench.e2e;

import dev.jgpt.api.BackendProvider;
import dev.jgpt.api.TensorBackend;
import dev.jgpt.model.DefaultModel;
import dev.jgpt.model.GptConfig;
import dev.jgpt.model.GptPreset;
import dev.jgpt.model.RandomWeights;
import dev.jgpt.model.io.ModelWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code gpt bench} end to end: a random model of the preset's shape written to a temporary folder, this machine's
 * memory-read bandwidth, then every backend's {@link BackendBench} in turn; the temporary folders are deleted after.
 */
public final class EndToEnd {
    /** Timed passes of the bandwidth measurement (after one warm-up). */
    static final int BANDWIDTH_PASSES = 5;
    /** The bandwidth buffer: several times the last-level cache. */
    static final long BANDWIDTH_BYTES = 2L << 30;

    private EndToEnd() {
    }

    /**
     * Measures every provider's backend (each created and closed here) on a random model shaped as {@code preset}.
     * A backend that fails part-way is reported with its error; the others still run.
     *
     * @param err where the progress bar goes
     */
    public static Report run(GptPreset preset, BackendBench.Plan plan, List<BackendProvider> providers,
            PrintWriter err) throws Exception {
        GptConfig config = preset.config();
        int threads = Runtime.getRuntime().availableProcessors();
        Progress progress = new Progress(err, 2 + BANDWIDTH_PASSES + providers.size() * BackendBench.steps(plan));
        List<Path> temporary = new ArrayList<>();
        try {
            progress.show("writing a random " + preset.label() + " model");
            Path gptDir = Files.createTempDirectory("jgpt-bench-" + preset.label());
            temporary.add(gptDir);
            ModelWriter.write(gptDir, config, RandomWeights.generate(config, 1, true, 0f), "F32", "");
            Path sortDir;
            String sortSource;
            if (DefaultModel.present()) {
                sortDir = DefaultModel.folder();
                sortSource = "the embedded default model";
            } else {
                progress.show("writing a random nano-sort model");
                sortDir = Files.createTempDirectory("jgpt-bench-nano-sort");
                temporary.add(sortDir);
                GptConfig nano = GptPreset.NANO_SORT.config();
                ModelWriter.write(sortDir, nano, RandomWeights.generate(nano, 1, true, 0f), "F32", "");
                sortSource = "a random nano-sort model (no embedded default model in this build)";
            }
            progress.step("memory bandwidth: warm-up");
            System.gc();
            Bandwidth.Result bw = Bandwidth.measure(BANDWIDTH_BYTES, threads, BANDWIDTH_PASSES,
                    () -> progress.step("memory bandwidth"));
            // the probe's 2 GiB buffer is garbage now: collect it before the sort, whose young collections would
            // otherwise promote into fresh old-generation pages above it (docs/PERFORMANCE.md: the slow mode)
            System.gc();
            List<BackendBench.Result> results = new ArrayList<>();
            for (BackendProvider provider : providers) {
                BackendBench.Result r;
                try (TensorBackend b = provider.create()) {
                    r = BackendBench.run(provider.name(), b, sortDir, gptDir, plan, progress::step);
                } catch (RuntimeException e) {
                    r = BackendBench.failed(provider.name(), e);
                }
                results.add(r);
                System.gc();
            }
            return new Report(preset, plan, bw, BackendBench.weightBytesPerToken(config), results, sortSource);
        } finally {
            progress.finish();
            for (Path dir : temporary) {
                deleteTree(dir);
            }
        }
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a temporary folder left behind is harmless
        }
    }
}
