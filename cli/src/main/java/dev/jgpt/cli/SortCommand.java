package dev.jgpt.cli;

import dev.jgpt.model.Gpt;
import dev.jgpt.model.SortTask;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
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
                + "line by line (lines that arrive together are sorted in one batch)."})
final class SortCommand implements Callable<Integer> {
    /** Most lines sorted in one batch when reading stdin. */
    static final int MAX_BATCH = 512;

    @Spec
    CommandSpec spec;

    @ParentCommand
    GptCommand parent;

    @Mixin
    ModelOptions options = new ModelOptions();

    @Parameters(paramLabel = "SEQ", arity = "0..*", description = "Sequences to sort, e.g. CBABBC.")
    List<String> sequences = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
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
            BufferedReader in = new BufferedReader(new InputStreamReader(parent.in, StandardCharsets.UTF_8));
            List<String> batch = new ArrayList<>();
            String line;
            while ((line = in.readLine()) != null) {
                if (!line.isBlank()) {
                    batch.add(line);
                }
                if (batch.size() >= MAX_BATCH || (!in.ready() && !batch.isEmpty())) {
                    for (String s : task.sort(batch.toArray(new String[0]))) {
                        out.println(s);
                    }
                    out.flush();
                    batch.clear();
                }
            }
            if (!batch.isEmpty()) {
                for (String s : task.sort(batch.toArray(new String[0]))) {
                    out.println(s);
                }
                out.flush();
            }
        }
        return ExitCodes.OK;
    }
}
