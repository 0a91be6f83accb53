package dev.jgpt.cli;

import com.google.inject.ProvisionException;
import dev.jgpt.api.BackendException;
import dev.jgpt.model.InvalidInputException;
import dev.jgpt.model.ModelLoadException;
import dev.jgpt.model.NonFiniteException;
import dev.jgpt.model.Words;
import dev.jgpt.model.io.Cleanup;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import picocli.CommandLine;

/** Entry point of {@code gpt}: runs the command and turns every failure into one line and an exit code. */
public final class Main {
    /** The longest error line printed; longer messages are cut. */
    static final int MAX_MESSAGE = 600;

    private Main() {
    }

    public static void main(String[] args) {
        boolean verbose = java.util.Arrays.asList(args).contains("--verbose");
        PrintWriter err = new PrintWriter(System.err, true);
        // an error on another thread (a worker running out of memory) ends the run with one line too; exit runs the
        // shutdown hook that removes temporary files
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> System.exit(handle(e, verbose, err)));
        System.exit(run(args, System.in, new FileOutputStream(FileDescriptor.out), err));
    }

    /**
     * Runs {@code gpt args} with {@code out} as standard output, as {@link #main} does: the command stops when
     * {@code out} fails (exit 0 and no message for a broken pipe, exit 6 for any other failure).
     */
    public static int run(String[] args, InputStream in, OutputStream out, PrintWriter err) {
        return run(args, in, new PrintWriter(new OutputStreamWriter(new StdoutStream(out), Charset.defaultCharset()),
                true), err);
    }

    /** Runs {@code gpt args} with the given streams; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        return run(args, InputStream.nullInputStream(), out, err);
    }

    /** Runs {@code gpt args} reading standard input from {@code in}; returns the exit code. */
    public static int run(String[] args, InputStream in, PrintWriter out, PrintWriter err) {
        boolean verbose = java.util.Arrays.asList(args).contains("--verbose");
        int code;
        try {
            GptCommand top = new GptCommand();
            top.in = in;
            CommandLine cli = new CommandLine(top);
            ExtensionCommand.register(cli); // before the converters, which apply to the commands present
            Converters.register(cli);
            cli.setOut(out);
            cli.setErr(err);
            cli.setParameterExceptionHandler((e, a) -> {
                if (e.getCause() instanceof Converters.OutOfRange) {
                    say(err, ((Converters.OutOfRange) e.getCause()).message(UsageMessages.optionName(e)), verbose);
                    return ExitCodes.INVALID_INPUT;
                }
                say(err, UsageMessages.of(e), verbose);
                return ExitCodes.USAGE;
            });
            cli.setExecutionExceptionHandler((e, c, parsed) -> handle(e, verbose, err));
            code = cli.execute(args);
            out.flush();
        } catch (Throwable e) { // errors (out of memory) pass through picocli, and so does a stdout closed under it
            code = handle(e, verbose, err);
        }
        if (code == ExitCodes.OK) {
            Cleanup.commit();
        } else {
            Cleanup.rollback(); // temporary files, and the folders this run created that are still empty
        }
        err.flush();
        return code;
    }

    static int handle(Throwable thrown, boolean verbose, PrintWriter err) {
        Throwable e = thrown;
        if (e instanceof ProvisionException && e.getCause() != null) {
            e = e.getCause(); // a backend that failed while Guice built it
        }
        if (e instanceof StdoutStream.Closed) {
            return ExitCodes.OK; // the reader has all it wanted (gpt ... | head): stop quietly
        }
        int code;
        String message = e.getMessage();
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
            message = "out of memory (the Java heap holds at most " + Runtime.getRuntime().maxMemory() / (1 << 20)
                    + " MB); give it more, e.g. GPT_HEAP=8g ./gpt ..., or ask for less (a smaller --batch, "
                    + "a smaller model or prompt)";
        } else {
            code = ExitCodes.INTERNAL;
            message = "internal error (a bug): " + oneLine(message)
                    + (verbose ? "" : "; rerun with --verbose for the stack trace");
        }
        say(err, message, verbose);
        if (verbose) {
            e.printStackTrace(err);
        }
        err.flush();
        return code;
    }

    /** Prints {@code gpt: message}: one line, control characters escaped, Java class names only with --verbose. */
    static void say(PrintWriter err, String message, boolean verbose) {
        String line = Words.escape(oneLine(message));
        if (!verbose) {
            line = Words.withoutClassNames(line);
        }
        if (line.length() > MAX_MESSAGE) {
            line = line.substring(0, MAX_MESSAGE) + "…";
        }
        err.println("gpt: " + line);
        err.flush();
    }

    /** The first line of {@code s}, stripped; {@code (no message)} for none. */
    public static String oneLine(String s) {
        if (s == null || s.isBlank()) {
            return "(no message)";
        }
        String t = s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl).strip();
    }
}
