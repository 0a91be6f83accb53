package dev.jgpt.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.jgpt.api.BackendProvider;
import dev.jgpt.api.Backends;
import dev.jgpt.api.TensorBackend;
import dev.jgpt.cli.bench.BackendBench;
import dev.jgpt.cli.bench.Bandwidth;
import dev.jgpt.cli.bench.Progress;
import dev.jgpt.cli.bench.Stats;
import dev.jgpt.model.DefaultModel;
import dev.jgpt.model.GptConfig;
import dev.jgpt.model.GptPreset;
import dev.jgpt.model.InvalidInputException;
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
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gpt bench}: speed of each backend against this machine's memory bandwidth, measured in one run. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measure backends side by side: nano sort throughput (all 729 inputs, batched), prefill and "
                + "KV-cached decode of a randomly initialised GPT-2-shaped model, and this machine's memory-read "
                + "bandwidth with the decode limit it implies (bandwidth / bytes of weights read per token).",
            "Progress goes to stderr, the table (or JSON) to stdout. Figures are the median of the repetitions, "
                + "with [min-max]."})
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--backend", paramLabel = "NAME", defaultValue = "all",
            description = "A backend name, or all available ones (default: ${DEFAULT-VALUE}).")
    String backend;

    @Option(names = "--preset", paramLabel = "NAME", defaultValue = "gpt2",
            description = "Shape of the random model for prefill and decode (default: ${DEFAULT-VALUE}; see "
                    + "'gpt init --help').")
    String preset;

    @Option(names = "--prompt-len", paramLabel = "T", defaultValue = "128",
            description = "Prompt tokens of the prefill (default: ${DEFAULT-VALUE}).")
    int promptLength;

    @Option(names = "--new-tokens", paramLabel = "N", defaultValue = "64",
            description = "Tokens generated per decode run (default: ${DEFAULT-VALUE}, at least 2).")
    int newTokens;

    @Option(names = "--reps", paramLabel = "R", defaultValue = "3",
            description = "Timed repetitions of prefill and decode, after one warm-up (default: ${DEFAULT-VALUE}).")
    int reps;

    @Option(names = "--json", description = "Print the results as JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        GptPreset p = InitCommand.presetNamed(preset);
        GptConfig config = p.config();
        if (promptLength < 1 || newTokens < 2 || reps < 1) {
            throw new InvalidInputException("--prompt-len must be at least 1, --new-tokens at least 2 and --reps at "
                    + "least 1");
        }
        if (promptLength + newTokens - 1 > config.nPositions) {
            throw new InvalidInputException("--prompt-len " + promptLength + " plus --new-tokens " + newTokens
                    + " exceed the " + config.nPositions + "-position context of " + p.label());
        }
        List<BackendProvider> providers = providers();
        BackendBench.Plan plan = new BackendBench.Plan();
        plan.promptLength = promptLength;
        plan.newTokens = newTokens;
        plan.reps = reps;
        int threads = Runtime.getRuntime().availableProcessors();
        int passes = 5;
        Progress progress = new Progress(spec.commandLine().getErr(),
                2 + passes + providers.size() * BackendBench.steps(plan));
        List<Path> temporary = new ArrayList<>();
        try {
            progress.show("writing a random " + p.label() + " model");
            Path gptDir = Files.createTempDirectory("jgpt-bench-" + p.label());
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
            Bandwidth.Result bw = Bandwidth.measure(2L << 30, threads, passes, () -> progress.step("memory bandwidth"));
            long weightBytes = BackendBench.weightBytesPerToken(config);
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
            progress.finish();
            PrintWriter out = spec.commandLine().getOut();
            out.println(json ? json(p, bw, weightBytes, results, sortSource)
                    : table(p, bw, weightBytes, results, sortSource));
            out.flush();
        } finally {
            progress.finish();
            for (Path dir : temporary) {
                deleteTree(dir);
            }
        }
        return ExitCodes.OK;
    }

    private List<BackendProvider> providers() {
        Backends all = Backends.discover();
        if (backend.equals("all")) {
            List<BackendProvider> available = all.available();
            if (available.isEmpty()) {
                all.best(); // throws, naming why each is unavailable
            }
            return available;
        }
        return List.of(all.require(backend));
    }

    private String table(GptPreset p, Bandwidth.Result bw, long weightBytes,
            List<BackendBench.Result> results, String sortSource) {
        double limit = bw.best() / weightBytes;
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "machine: %d cores, %s, Java %s (%s)%n",
                Runtime.getRuntime().availableProcessors(), cpuName(), System.getProperty("java.version"),
                System.getProperty("java.vm.name")));
        s.append(String.format(Locale.ROOT,
                "memory read bandwidth: %.2f GB/s (best of %d passes over %.1f GiB on %d threads; all: %s)%n",
                bw.best() / 1e9, bw.passes.length, bw.bufferBytes / (double) (1L << 30), bw.threads,
                passesText(bw)));
        s.append(String.format(Locale.ROOT,
                "%s decode reads %.1f MB of weights per token -> decode limit %.1f tokens/s%n", p.label(),
                weightBytes / 1e6, limit));
        s.append(String.format(Locale.ROOT, "sort: %s; prefill %d tokens, decode %d new tokens; median [min-max] "
                + "of %d reps%n%n", sortSource, promptLength, newTokens, reps));
        s.append("| backend | nano sort (sorts/s) | prefill (tokens/s) | decode (tokens/s) | decode / limit |"
                + " decode ×1 | ×4 | ×16 (tokens/s, all sequences) | ×16 / ×1 |\n");
        s.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (BackendBench.Result r : results) {
            if (r.error != null) {
                s.append("| ").append(r.backend).append(" | failed: ").append(r.error).append(" | | | | | | | |\n");
                continue;
            }
            s.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %.2f | %s | %s | %s | %.2f |%n", r.backend,
                    stats(r.sortsPerSecond, 0), stats(r.prefillTokensPerSecond, 1),
                    stats(r.decodeTokensPerSecond, 2), r.decodeTokensPerSecond.median / limit,
                    stats(r.concurrentDecode.get(1), 1), stats(r.concurrentDecode.get(4), 1),
                    stats(r.concurrentDecode.get(16), 1),
                    r.concurrentDecode.get(16).median / r.concurrentDecode.get(1).median));
        }
        return s.toString().stripTrailing();
    }

    private static String passesText(Bandwidth.Result bw) {
        StringBuilder s = new StringBuilder();
        for (double v : bw.passes) {
            s.append(s.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", v / 1e9));
        }
        return s.toString();
    }

    private static String stats(Stats st, int decimals) {
        String f = "%,." + decimals + "f";
        return String.format(Locale.ROOT, f + " [" + f + "-" + f + "]", st.median, st.min, st.max);
    }

    private String json(GptPreset p, Bandwidth.Result bw, long weightBytes,
            List<BackendBench.Result> results, String sortSource) {
        double limit = bw.best() / weightBytes;
        JsonObject o = new JsonObject();
        JsonObject machine = new JsonObject();
        machine.addProperty("cores", Runtime.getRuntime().availableProcessors());
        machine.addProperty("cpu", cpuName());
        machine.addProperty("java", System.getProperty("java.version"));
        o.add("machine", machine);
        JsonObject b = new JsonObject();
        b.addProperty("best_bytes_per_second", bw.best());
        b.addProperty("buffer_bytes", bw.bufferBytes);
        b.addProperty("threads", bw.threads);
        JsonArray passes = new JsonArray();
        for (double v : bw.passes) {
            passes.add(v);
        }
        b.add("passes_bytes_per_second", passes);
        o.add("bandwidth", b);
        o.addProperty("preset", p.label());
        o.addProperty("weight_bytes_per_token", weightBytes);
        o.addProperty("decode_limit_tokens_per_second", limit);
        o.addProperty("prompt_length", promptLength);
        o.addProperty("new_tokens", newTokens);
        o.addProperty("reps", reps);
        o.addProperty("sort_model", sortSource);
        JsonArray backends = new JsonArray();
        for (BackendBench.Result r : results) {
            JsonObject e = new JsonObject();
            e.addProperty("backend", r.backend);
            if (r.error != null) {
                e.addProperty("error", r.error);
            } else {
                e.add("sorts_per_second", stats(r.sortsPerSecond));
                e.add("prefill_tokens_per_second", stats(r.prefillTokensPerSecond));
                e.add("decode_tokens_per_second", stats(r.decodeTokensPerSecond));
                e.addProperty("decode_fraction_of_limit", r.decodeTokensPerSecond.median / limit);
                JsonObject together = new JsonObject();
                r.concurrentDecode.forEach((n, st) -> together.add(Integer.toString(n), stats(st)));
                e.add("concurrent_decode_tokens_per_second", together);
                e.addProperty("load_seconds", r.gptLoadSeconds);
            }
            backends.add(e);
        }
        o.add("backends", backends);
        return new GsonBuilder().setPrettyPrinting().create().toJson(o);
    }

    private static JsonObject stats(Stats s) {
        JsonObject o = new JsonObject();
        o.addProperty("median", s.median);
        o.addProperty("min", s.min);
        o.addProperty("max", s.max);
        return o;
    }

    /** The CPU's model name from /proc/cpuinfo where there is one. */
    static String cpuName() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).strip())
                    .findFirst().orElse(System.getProperty("os.arch"));
        } catch (IOException | UncheckedIOException e) {
            return System.getProperty("os.arch");
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a temporary folder left behind is harmless
        }
    }
}
