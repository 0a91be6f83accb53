package dev.jgpt.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The top command, {@code gpt}. */
@Command(name = "gpt", mixinStandardHelpOptions = true, version = {"jgpt 0.1.0", "Java ${sys:java.version} (${sys:java.vm.name}, ${sys:java.home})"},
        description = "GPT-2 inference on pluggable tensor backends.",
        subcommands = {SortCommand.class, GenerateCommand.class, ExplainCommand.class, TraceCommand.class,
            VizCommand.class, InitCommand.class, TrainSortCommand.class, ImportLlmVizCommand.class,
            ConvertCommand.class, BackendsCommand.class, BenchCommand.class, ServeCommand.class,
            BenchServeCommand.class},
        footer = {"", "Exit codes: 0 ok, 1 internal error, 2 usage, 3 invalid input, 4 model cannot be loaded, "
                + "5 backend unknown or unavailable, 6 cannot write output, 7 the computation produced NaN or ±∞."})
public final class GptCommand implements Runnable {
    @Spec
    CommandSpec spec;

    /** Standard input (replaceable for tests). */
    java.io.InputStream in = System.in;

    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Print stack traces with errors.")
    boolean verbose;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing command");
    }
}
