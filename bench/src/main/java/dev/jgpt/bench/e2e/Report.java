package dev.jgpt.bench.e2e;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.jgpt.model.GptPreset;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * What one {@code gpt bench} run measured, as a Markdown table or as JSON.
 *
 * @param weightBytes bytes of weights one decode step of the preset reads
 * @param sortSource  which sort model the nano sort figure comes from
 */
public record Report(GptPreset preset, BackendBench.Plan plan, Bandwidth.Result bandwidth, long weightBytes,
        List<BackendBench.Result> results, String sortSource) {

    public Report {
        results = List.copyOf(results);
    }

    /** Decode tokens/s the memory bandwidth allows: bandwidth / bytes of weights per token. */
    public double decodeLimit() {
        return bandwidth.best() / weightBytes;
    }

    /** The machine, the bandwidth and limit, then one row per backend. */
    public String table() {
        double limit = decodeLimit();
        Bandwidth.Result bw = bandwidth;
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "machine: %d cores, %s, Java %s (%s)%n",
                Runtime.getRuntime().availableProcessors(), cpuName(), System.getProperty("java.version"),
                System.getProperty("java.vm.name")));
        s.append(String.format(Locale.ROOT,
                "memory read bandwidth: %.2f GB/s (best of %d passes over %.1f GiB on %d threads; all: %s)%n",
                bw.best() / 1e9, bw.passes().length, bw.bufferBytes() / (double) (1L << 30), bw.threads(),
                passesText(bw)));
        s.append(String.format(Locale.ROOT,
                "%s decode reads %.1f MB of weights per token -> decode limit %.1f tokens/s%n", preset.label(),
                weightBytes / 1e6, limit));
        s.append(String.format(Locale.ROOT, "sort: %s; prefill %d tokens, decode %d new tokens; median [min-max] "
                + "of %d reps%n%n", sortSource, plan.promptLength, plan.newTokens, plan.reps));
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
                    stats(r.decodeTokensPerSecond, 2), r.decodeTokensPerSecond.median() / limit,
                    stats(r.concurrentDecode.get(1), 1), stats(r.concurrentDecode.get(4), 1),
                    stats(r.concurrentDecode.get(16), 1),
                    r.concurrentDecode.get(16).median() / r.concurrentDecode.get(1).median()));
        }
        return s.toString().stripTrailing();
    }

    /** The same figures, machine-readable. */
    public String json() {
        double limit = decodeLimit();
        Bandwidth.Result bw = bandwidth;
        JsonObject o = new JsonObject();
        JsonObject machine = new JsonObject();
        machine.addProperty("cores", Runtime.getRuntime().availableProcessors());
        machine.addProperty("cpu", cpuName());
        machine.addProperty("java", System.getProperty("java.version"));
        o.add("machine", machine);
        JsonObject b = new JsonObject();
        b.addProperty("best_bytes_per_second", bw.best());
        b.addProperty("buffer_bytes", bw.bufferBytes());
        b.addProperty("threads", bw.threads());
        JsonArray passes = new JsonArray();
        for (double v : bw.passes()) {
            passes.add(v);
        }
        b.add("passes_bytes_per_second", passes);
        o.add("bandwidth", b);
        o.addProperty("preset", preset.label());
        o.addProperty("weight_bytes_per_token", weightBytes);
        o.addProperty("decode_limit_tokens_per_second", limit);
        o.addProperty("prompt_length", plan.promptLength);
        o.addProperty("new_tokens", plan.newTokens);
        o.addProperty("reps", plan.reps);
        o.addProperty("sort_model", sortSource);
        JsonArray backends = new JsonArray();
        for (BackendBench.Result r : results) {
            JsonObject e = new JsonObject();
            e.addProperty("backend", r.backend);
            if (r.error != null) {
                e.addProperty("error", r.error);
            } else {
                e.add("sorts_per_second", stats(r.sortsPerSecond));
                e.addProperty("sort_warmup_steps", r.sortWarmupSteps);
                e.add("prefill_tokens_per_second", stats(r.prefillTokensPerSecond));
                e.add("decode_tokens_per_second", stats(r.decodeTokensPerSecond));
                e.addProperty("decode_fraction_of_limit", r.decodeTokensPerSecond.median() / limit);
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

    private static String passesText(Bandwidth.Result bw) {
        StringBuilder s = new StringBuilder();
        for (double v : bw.passes()) {
            s.append(s.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", v / 1e9));
        }
        return s.toString();
    }

    private static String stats(Stats st, int decimals) {
        String f = "%,." + decimals + "f";
        return String.format(Locale.ROOT, f + " [" + f + "-" + f + "]", st.median(), st.min(), st.max());
    }

    /** Median, min and max as a JSON object (also {@link DtypeReport}'s). */
    static JsonObject stats(Stats s) {
        JsonObject o = new JsonObject();
        o.addProperty("median", s.median());
        o.addProperty("min", s.min());
        o.addProperty("max", s.max());
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
}
