package dev.jgpt.cli;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Standard output that stops the command when it cannot be written. A {@link java.io.PrintWriter} swallows write
 * errors, so a command printing into a closed pipe ({@code gpt sort | head -1}) would run on forever; this stream
 * throws unchecked exceptions instead, which pass through the writer: {@link Closed} when the reader has gone (a
 * broken pipe: the command stops and exits quietly), {@link OutputException} for any other failure (exit 6).
 */
final class StdoutStream extends FilterOutputStream {
    /** The reader of standard output has closed it: stop, print nothing, exit 0. */
    static final class Closed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Closed(IOException cause) {
            super("standard output was closed by its reader", cause);
        }
    }

    StdoutStream(OutputStream out) {
        super(out);
    }

    @Override
    public void write(int b) {
        try {
            out.write(b);
        } catch (IOException e) {
            throw failure(e);
        }
    }

    @Override
    public void write(byte[] b, int off, int len) {
        try {
            out.write(b, off, len);
        } catch (IOException e) {
            throw failure(e);
        }
    }

    @Override
    public void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            throw failure(e);
        }
    }

    static RuntimeException failure(IOException e) {
        String m = e.getMessage();
        if (m != null && (m.contains("Broken pipe") || m.contains("Stream closed"))) {
            return new Closed(e);
        }
        return new OutputException("cannot write to standard output: " + IoErrors.why(e), e);
    }
}
