package dev.jgpt.cli;

import dev.jgpt.api.BackendException;
import dev.jgpt.api.BackendProvider;
import dev.jgpt.api.BackendSelection;
import dev.jgpt.model.Words;
import dev.jgpt.api.Backends;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gpt backends}: what is installed, what runs here, and which one is selected and why. */
@Command(name = "backends", mixinStandardHelpOptions = true,
        description = "List the discovered backends (name, rank, availability, description) and say which one is "
                + "selected, and by which source: flag, property, environment, file or rank.")
final class BackendsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--backend", paramLabel = "NAME", description = "Show the selection as if this flag were given.")
    String backend;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Backends backends = Backends.discover();
        out.printf("%-10s %5s  %-40s %s%n", "NAME", "RANK", "AVAILABLE", "DESCRIPTION");
        for (BackendProvider p : backends.all()) {
            String why = Backends.whyUnavailable(p);
            String available = why == null ? "yes" : "no: " + Words.withoutClassNames(why);
            if (available.length() > 40) {
                available = available.substring(0, 37) + "...";
            }
            out.printf("%-10s %5d  %-40s %s%n", p.name(), p.rank(), available, p.description());
        }
        try {
            BackendSelection.Choice choice = BackendSelection.ofProcess().choose(backend, backends);
            out.println("selected: " + choice.provider().name() + " (by " + choice.describeSource() + ")");
            out.flush();
            return ExitCodes.OK;
        } catch (BackendException e) {
            out.println("selected: none");
            out.flush();
            throw e;
        }
    }
}
