package dev.jgpt.cli;

import dev.jgpt.model.Gpt;
import dev.jgpt.model.SortTask;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code gpt sort}: the nano model sorts sequences of A, B, C. */
@Command(name = "sort", mixinStandardHelpOptions = true,
        description = {"Sort sequences of the letters A, B, C with the sort model; prints each sorted sequence on "
                + "its own line.", "With no SEQ, reads one sequence per line from standard input and answers "
                + "line for line: output line N answers input line N (lines that arrive together are sorted in one "
                + "batch). A blank line gets an empty line; an invalid line an empty line and a message naming "
                + "its number on stderr, and then the exit code is 3."})
final class SortCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @ParentCommand
    GptCommand parent;

    @Mixin
    ModelOptions options = new ModelOptions();

    @Parameters(paramLabel = "SEQ", arity = "0..*", description = "Sequences to sort, e.g. CBABBC.")
    List<String> sequences = new ArrayList<>();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Gpt gpt = options.load()) {
            SortTask task = new SortTask(gpt);
            if (!sequences.isEmpty()) {
                String[] sorted = task.sort(sequences.toArray(new String[0]));
                for (String s : sorted) {
                    out.println(s);
                }
                out.flush();
                return ExitCodes.OK;
            }
            return new StdinSorter(task, out, spec.commandLine().getErr()).run(parent.in);
        }
    }
}
