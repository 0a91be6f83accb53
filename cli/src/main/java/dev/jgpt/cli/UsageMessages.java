package dev.jgpt.cli;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

/** picocli's messages about the command line, in gpt's words: no "Error:" prefix, no internal notation. */
final class UsageMessages {
    private static final Pattern GROUP = Pattern.compile("expected only one match but got \\(([^)]*)\\)");

    private UsageMessages() {
    }

    /** The one-line message for a command-line problem, ending with where to read the usage. */
    static String of(ParameterException e) {
        String m = Main.oneLine(e.getMessage());
        if (m.startsWith("Error: ")) {
            m = m.substring("Error: ".length());
        }
        Matcher group = GROUP.matcher(m);
        if (group.find()) {
            StringBuilder names = new StringBuilder();
            for (String alt : group.group(1).split("\\|")) {
                String name = alt.strip();
                int eq = name.indexOf('=');
                names.append(names.length() == 0 ? "" : " or ").append(eq < 0 ? name : name.substring(0, eq));
            }
            m = "give " + names + " once, not several times";
        }
        String cmd = e.getCommandLine().getCommandSpec().qualifiedName();
        return m + "; see '" + cmd + " --help'";
    }

    /** The option whose value was refused, e.g. {@code --max-new-tokens}. */
    static String optionName(ParameterException e) {
        if (e.getArgSpec() instanceof OptionSpec) {
            return ((OptionSpec) e.getArgSpec()).longestName();
        }
        return e.getArgSpec() != null ? e.getArgSpec().paramLabel() : "a value";
    }
}
