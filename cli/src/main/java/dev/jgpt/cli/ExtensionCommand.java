package dev.jgpt.cli;

import java.util.ServiceLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * A {@code gpt} subcommand that lives in a feature module with dependencies of its own, found by ServiceLoader
 * ({@code META-INF/services/dev.jgpt.cli.ExtensionCommand}) so that the CLI does not depend on it: {@code gpt batch}
 * (module {@code spark}) brings Apache Spark, which {@code gpt sort} never loads. An implementation is a picocli
 * {@link Command} with a public no-argument constructor.
 */
public interface ExtensionCommand {

    /**
     * Adds the extension commands on the class path to {@code gpt}; a known one that is absent says how to get it.
     * One whose own dependencies are missing (the spark module's jar without Spark beside it) counts as absent: it
     * never stops the other commands.
     */
    static void register(CommandLine gpt) {
        java.util.Iterator<ExtensionCommand> found = ServiceLoader.load(ExtensionCommand.class).iterator();
        while (true) {
            try {
                if (!found.hasNext()) {
                    break;
                }
                gpt.addSubcommand(new CommandLine(found.next())); // picocli reads its methods: Spark's types
            } catch (LinkageError | java.util.ServiceConfigurationError | CommandLine.InitializationException e) {
                // its dependencies are not on the class path: the next one
            }
        }
        if (!gpt.getSubcommands().containsKey("batch")) {
            gpt.addSubcommand(new BatchAbsent());
        }
    }

    /** {@code gpt batch} run from the CLI's own jar, without the spark module. */
    @Command(name = "batch", description = "Batch inference on Apache Spark (module spark; run it through ./gpt).")
    final class BatchAbsent implements java.util.concurrent.Callable<Integer> {
        @CommandLine.Unmatched
        java.util.List<String> ignored;

        @Override
        public Integer call() {
            throw new UsageException("gpt batch runs on Apache Spark, which this jar does not include: run it as "
                    + "./gpt batch ... (the launcher builds the spark module on first use), or with spark-submit "
                    + "(see the README)");
        }
    }
}
