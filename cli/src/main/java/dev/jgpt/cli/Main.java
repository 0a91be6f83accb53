package dev.jgpt.cli;

import com.google.inject.ProvisionException;
import dev.jgpt.api.BackendException;
import dev.jgpt.model.InvalidInputException;
import dev.jgpt.model.ModelLoadException;
import dev.jgpt.model.NonFiniteException;
import java.io.InputStream;
import java.io.PrintWriter;
import picocli.CommandLine;

/** Entry point of {@code gpt}: runs the command and turns every failure into one line and an exit code. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.in, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs {@code gpt args} with the given streams; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        return run(args, InputStream.nullInputStream(), out, err);
    }

    /** Runs {@code gpt args} reading standard input from {@code in}; returns the exit code. */
    public static int run(String[] args, InputStream in, PrintWriter out, PrintWriter err) {
        boolean verbose = java.util.Arrays.asList(args).contains("--verbose");
        GptCommand top = new GptCommand();
        top.in = in;
        CommandLine cli = new CommandLine(top);
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler((e, a) -> {
            String cmd = e.getCommandLine().getCommandSpec().qualifiedName();
            err.println("gpt: " + oneLine(e.getMessage()) + "; see '" + cmd + " --help'");
            return ExitCodes.USAGE;
        });
        cli.setExecutionExceptionHandler((e, c, parsed) -> handle(e, verbose, err));
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    static int handle(Throwable thrown, boolean verbose, PrintWriter err) {
        Throwable e = thrown;
        if (e instanceof ProvisionException && e.getCause() != null) {
            e = e.getCause(); // a backend that failed while Guice built it
        }
        int code;
        String message = oneLine(e.getMessage());
        if (e instanceof UsageException) {
            code = ExitCodes.USAGE;
        } else if (e instanceof InvalidInputException) {
            code = ExitCodes.INVALID_INPUT;
        } else if (e instanceof ModelLoadException) {
            code = ExitCodes.MODEL_LOAD;
        } else if (e instanceof BackendException) {
            code = ExitCodes.BACKEND;
        } else if (e instanceof NonFiniteException) {
            code = ExitCodes.NON_FINITE;
        } else if (e instanceof OutputException) {
            code = ExitCodes.OUTPUT;
        } else if (e instanceof OutOfMemoryError) {
            code = ExitCodes.INTERNAL;
            message = "out of memory; give the JVM more heap, e.g. GPT_HEAP=16g ./gpt ...";
        } else {
            code = ExitCodes.INTERNAL;
            message = "internal error (a bug): " + e.getClass().getSimpleName() + ": " + message
                    + (verbose ? "" : "; rerun with --verbose for the stack trace");
        }
        err.println("gpt: " + message);
        if (verbose) {
            e.printStackTrace(err);
        }
        err.flush();
        return code;
    }

    static String oneLine(String s) {
        if (s == null) {
            return "(no message)";
        }
        String t = s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl).strip();
    }
}
