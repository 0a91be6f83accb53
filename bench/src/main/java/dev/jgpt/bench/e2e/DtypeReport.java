package dev.jgpt.bench.e2e;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.jgpt.model.GptPreset;
import java.util.List;
import java.util.Locale;

/** What one {@code gpt bench --dtype} run measured, as a Markdown table or as JSON. */
public record DtypeReport(GptPreset preset, DtypeBench.Plan plan, List<DtypeBench.Row> rows) {

    public DtypeReport {
        rows = List.copyOf(rows);
    }

    /** The machine and the method, then one row per (backend, dtype). */
    public String table() {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "machine: %d cores, %s, Java %s (%s)%n",
                Runtime.getRuntime().availableProcessors(), Report.cpuName(), System.getProperty("java.version"),
                System.getProperty("java.vm.name")));
        s.append(String.format(Locale.ROOT, "%s, prefill %d tokens, decode %d new tokens; median [min-max] of %d "
                + "reps. Bandwidth probe: one pass of each buffer (%s) before every decode rep and after the last; "
                + "limit = median pass of the %s buffer / bytes per token. Resident memory: a JVM of its own, "
                + "after load (after a collection) and the most while generating %d tokens.%n%n", preset.label(), plan.promptLength,
                plan.newTokens, plan.reps, sizes(plan), size(plan.probeBytes[plan.probeBytes.length - 1]),
                DtypeBench.RESIDENT_TOKENS));
        s.append("| backend | dtype | weights read / token (MB) | prefill (tokens/s) | decode (tokens/s) |");
        for (long b : plan.probeBytes) {
            s.append(" probe ").append(size(b)).append(" (GB/s) |");
        }
        s.append(" decode limit (tokens/s) | decode / limit | RSS after load (MB) | RSS generating (MB) |\n|---|---|");
        s.append("---:|".repeat(7 + plan.probeBytes.length)).append('\n');
        for (DtypeBench.Row r : rows) {
            if (r.error != null) {
                s.append("| ").append(r.backend).append(" | ").append(r.dtype).append(" | failed: ").append(r.error)
                        .append(" |").append(" |".repeat(6 + plan.probeBytes.length)).append('\n');
                continue;
            }
            s.append(String.format(Locale.ROOT, "| %s | %s | %.1f | %s | %s |", r.backend, r.dtype,
                    r.weightBytes / 1e6, stats(r.prefill, 1, 1), stats(r.decode, 1, 1)));
            for (Stats p : r.probes) {
                s.append(' ').append(stats(p, 1e9, 1)).append(" |");
            }
            s.append(String.format(Locale.ROOT, " %.1f | %.2f | %s | %s |%n", r.limit(),
                    r.decode.median() / r.limit(), megabytes(r.memory == null ? -1 : r.memory.afterLoad()),
                    megabytes(r.memory == null ? -1 : r.memory.generating())));
        }
        return s.toString().stripTrailing();
    }

    /** The same figures, machine-readable. */
    public String json() {
        JsonObject o = new JsonObject();
        o.addProperty("preset", preset.label());
        o.addProperty("cpu", Report.cpuName());
        o.addProperty("java", System.getProperty("java.version"));
        o.addProperty("prompt_length", plan.promptLength);
        o.addProperty("new_tokens", plan.newTokens);
        o.addProperty("reps", plan.reps);
        JsonArray list = new JsonArray();
        for (DtypeBench.Row r : rows) {
            JsonObject e = new JsonObject();
            e.addProperty("backend", r.backend);
            e.addProperty("dtype", r.dtype.name());
            if (r.error != null) {
                e.addProperty("error", r.error);
                list.add(e);
                continue;
            }
            e.addProperty("weight_bytes_per_token", r.weightBytes);
            e.add("prefill_tokens_per_second", Report.stats(r.prefill));
            e.add("decode_tokens_per_second", Report.stats(r.decode));
            JsonArray probes = new JsonArray();
            for (int i = 0; i < r.probes.size(); i++) {
                JsonObject p = Report.stats(r.probes.get(i));
                p.addProperty("buffer_bytes", plan.probeBytes[i]);
                probes.add(p);
            }
            e.add("bandwidth_bytes_per_second", probes);
            e.addProperty("decode_limit_tokens_per_second", r.limit());
            e.addProperty("decode_fraction_of_limit", r.decode.median() / r.limit());
            if (r.memory != null) {
                e.addProperty("rss_after_load_bytes", r.memory.afterLoad());
                e.addProperty("rss_generating_bytes", r.memory.generating());
                e.addProperty("rss_peak_bytes", r.memory.peak());
            }
            list.add(e);
        }
        o.add("rows", list);
        return new GsonBuilder().setPrettyPrinting().create().toJson(o);
    }

    private static String sizes(DtypeBench.Plan plan) {
        StringBuilder s = new StringBuilder();
        for (long b : plan.probeBytes) {
            s.append(s.length() == 0 ? "" : ", ").append(size(b));
        }
        return s.toString();
    }

    private static String size(long bytes) {
        return bytes >= 1L << 30 ? (bytes >> 30) + " GiB" : (bytes >> 20) + " MiB";
    }

    private static String stats(Stats st, double unit, int decimals) {
        String f = "%,." + decimals + "f";
        return String.format(Locale.ROOT, f + " [" + f + "-" + f + "]", st.median() / unit, st.min() / unit,
                st.max() / unit);
    }

    private static String megabytes(long bytes) {
        return bytes < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f", bytes / 1e6);
    }
}
