package dev.jgpt.cli;

import dev.jgpt.model.InvalidInputException;
import dev.jgpt.model.Words;
import java.math.BigInteger;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.TypeConversionException;

/**
 * How option values are read, for every command: numbers in ASCII digits only (Java would take other scripts'
 * digits, so {@code ٢} read as 2) and finite, a whole number too large for its option an invalid input (exit 3)
 * rather than a usage error, and an empty path refused (it would mean the current folder).
 */
final class Converters {
    private Converters() {
    }

    /** Registers the converters on {@code cli} and its subcommands. */
    static void register(CommandLine cli) {
        CommandLine.ITypeConverter<Integer> ints = s -> (int) whole(s, Integer.MIN_VALUE, Integer.MAX_VALUE);
        CommandLine.ITypeConverter<Long> longs = s -> whole(s, Long.MIN_VALUE, Long.MAX_VALUE);
        cli.registerConverter(Integer.class, ints);
        cli.registerConverter(Integer.TYPE, ints);
        cli.registerConverter(Long.class, longs);
        cli.registerConverter(Long.TYPE, longs);
        CommandLine.ITypeConverter<Double> doubles = Converters::decimal;
        cli.registerConverter(Double.class, doubles);
        cli.registerConverter(Double.TYPE, doubles);
        cli.registerConverter(Path.class, Converters::path);
    }

    /** A finite decimal number in ASCII ({@code 0.8}, {@code 1e-3}); not NaN, not infinite. */
    static double decimal(String text) {
        String s = text.strip();
        if (!s.matches("[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?")) {
            throw new TypeConversionException(Words.quote(text) + " is not a number (e.g. 0.8)");
        }
        double d = Double.parseDouble(s);
        if (!Double.isFinite(d)) {
            throw new TypeConversionException(Words.quote(text) + " is too large a number");
        }
        return d;
    }

    /** A whole number written with ASCII digits, an optional sign; outside [min, max] an {@link OutOfRange}. */
    static long whole(String text, long min, long max) {
        String s = text.strip();
        if (!s.matches("[+-]?[0-9]+")) {
            throw new TypeConversionException(Words.quote(text) + " is not a whole number (use the digits 0-9)");
        }
        BigInteger v = new BigInteger(s.startsWith("+") ? s.substring(1) : s);
        if (v.compareTo(BigInteger.valueOf(min)) < 0 || v.compareTo(BigInteger.valueOf(max)) > 0) {
            throw new OutOfRange(s, v.signum() < 0 ? min : max);
        }
        return v.longValue();
    }

    private static Path path(String text) {
        if (text.isBlank()) {
            throw new TypeConversionException("the path is empty; give a file or folder name");
        }
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw new TypeConversionException(Words.quote(text) + " is not a valid path (" + e.getReason() + ")");
        }
    }

    /** A well-formed number beyond what the option can hold: invalid input (exit 3), as any absurd value is. */
    static final class OutOfRange extends InvalidInputException {
        private static final long serialVersionUID = 1L;
        final String value;
        final long limit;

        OutOfRange(String value, long limit) {
            super(value + " is out of range");
            this.value = value;
            this.limit = limit;
        }

        /** The message once the option is known. */
        String message(String option) {
            return option + " " + value + " is far too " + (limit < 0 ? "small (at least " : "large (at most ") + limit
                    + ")";
        }
    }
}
