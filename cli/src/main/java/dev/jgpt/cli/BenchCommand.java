package dev.jgpt.cli;

import dev.jgpt.api.BackendProvider;
import dev.jgpt.api.Backends;
import dev.jgpt.api.DType;
import dev.jgpt.bench.e2e.BackendBench;
import dev.jgpt.bench.e2e.DtypeBench;
import dev.jgpt.bench.e2e.DtypeEndToEnd;
import dev.jgpt.bench.e2e.DtypeReport;
import dev.jgpt.bench.e2e.EndToEnd;
import dev.jgpt.bench.e2e.Report;
import dev.jgpt.model.GptConfig;
import dev.jgpt.model.GptPreset;
import dev.jgpt.model.InvalidInputException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
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

    @Option(names = "--dtype", paramLabel = "LIST", split = ",",
            description = {"Instead: one GGUF file per weight dtype (f32, f16, bf16, q8_0, q4_0; comma-separated), "
                + "written as 'gpt convert' writes it, each measured on each backend: bytes of weights per token, "
                + "prefill and decode tokens/s, the decode limit from bandwidth probes interleaved with the decode "
                + "reps (two buffer sizes, each pass reported), and resident memory after load and while "
                + "generating (in a JVM of its own)."})
    List<String> dtypes;

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
        if (dtypes != null) {
            DtypeBench.Plan plan = new DtypeBench.Plan();
            plan.promptLength = promptLength;
            plan.newTokens = newTokens;
            plan.reps = reps;
            DtypeReport report = DtypeEndToEnd.run(p, plan, providers(), dtypes(dtypes),
                    spec.commandLine().getErr());
            print(json ? report.json() : report.table());
            return ExitCodes.OK;
        }
        BackendBench.Plan plan = new BackendBench.Plan();
        plan.promptLength = promptLength;
        plan.newTokens = newTokens;
        plan.reps = reps;
        Report report = EndToEnd.run(p, plan, providers(), spec.commandLine().getErr());
        print(json ? report.json() : report.table());
        return ExitCodes.OK;
    }

    private void print(String text) {
        PrintWriter out = spec.commandLine().getOut();
        out.println(text);
        out.flush();
    }

    /** The dtypes named, in order, without repeats; an unknown name is a usage error listing the valid ones. */
    static List<DType> dtypes(List<String> names) {
        List<DType> out = new ArrayList<>();
        for (String n : names) {
            DType t = Arrays.stream(DType.values()).filter(d -> d.name().equalsIgnoreCase(n.strip())).findFirst()
                    .orElseThrow(() -> new UsageException("unknown --dtype '" + n + "'; choose from f32, f16, bf16, "
                            + "q8_0, q4_0 (comma-separated)"));
            if (!out.contains(t)) {
                out.add(t);
            }
        }
        return out;
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
}
