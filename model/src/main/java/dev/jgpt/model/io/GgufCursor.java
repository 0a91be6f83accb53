package dev.jgpt.model.io;

import dev.jgpt.model.ModelLoadException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Little-endian reads from the start of a GGUF file through a small window, never past its end: every read that the
 * file cannot satisfy is refused as truncated (naming what was being read, {@link #context}) before anything is
 * allocated for it, and strings longer than a limit are refused from their length alone.
 */
final class GgufCursor {
    /** Bytes read from the file at a time. */
    static final int WINDOW = 1 << 16;

    private final Path path;
    private final FileChannel channel;
    private final long size;
    private final ByteBuffer window = ByteBuffer.allocate(WINDOW).order(ByteOrder.LITTLE_ENDIAN);
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder();
    private long windowStart;
    /** What is being read, for messages (e.g. {@code metadata key 'general.name'}). */
    String context = "the header";

    GgufCursor(Path path, FileChannel channel, long size) {
        this.path = path;
        this.channel = channel;
        this.size = size;
        window.limit(0);
    }

    /** Bytes read so far: the offset of the next read. */
    long position() {
        return windowStart + window.position();
    }

    /** Bytes left in the file after {@link #position()}. */
    long remaining() {
        return size - position();
    }

    /** The file's size. */
    long size() {
        return size;
    }

    /** A one-line refusal naming the file. */
    ModelLoadException bad(String what) {
        return new ModelLoadException(path + ": " + what);
    }

    private ModelLoadException truncated(long need) {
        return bad("the file ends at byte " + size + " in " + context + ", which needs " + need + " more bytes from byte "
                + position() + " (truncated?)");
    }

    /** Makes the next {@code n} bytes (at most {@link #WINDOW}) readable from the window. */
    private void need(int n) {
        if (window.remaining() >= n) {
            return;
        }
        if (remaining() < n) {
            throw truncated(n);
        }
        long pos = position();
        window.clear();
        window.limit((int) Math.min(WINDOW, size - pos));
        fill(window, pos);
        window.flip();
        windowStart = pos;
    }

    private void fill(ByteBuffer b, long at) {
        long p = at;
        try {
            while (b.hasRemaining()) {
                int r = channel.read(b, p);
                if (r < 0) {
                    throw bad("the file ended while being read (was it truncated meanwhile?)");
                }
                p += r;
            }
        } catch (IOException e) {
            throw new ModelLoadException(path + ": cannot be read (" + e.getMessage() + ")", e);
        }
    }

    byte i8() {
        need(1);
        return window.get();
    }

    short i16() {
        need(2);
        return window.getShort();
    }

    int i32() {
        need(4);
        return window.getInt();
    }

    /** A u32, as a non-negative long. */
    long u32() {
        return i32() & 0xffffffffL;
    }

    /** A u64 or i64, as its 64 bits. */
    long i64() {
        need(8);
        return window.getLong();
    }

    float f32() {
        need(4);
        return window.getFloat();
    }

    double f64() {
        need(8);
        return window.getDouble();
    }

    /**
     * A GGUF string: a u64 byte length, then that many bytes of UTF-8.
     *
     * @param max  the longest accepted, in bytes
     * @param what what the string is, for the message refusing it
     */
    String string(int max, String what) {
        long len = i64();
        if (len < 0 || len > max) {
            throw bad(what + " claims a length of " + Long.toUnsignedString(len) + " bytes, more than the limit of "
                    + max + " (corrupt?)");
        }
        if (len > remaining()) {
            throw truncated(len);
        }
        ByteBuffer bytes;
        if (len <= WINDOW) {
            need((int) len);
            bytes = window.slice();
            bytes.limit((int) len);
            window.position(window.position() + (int) len);
        } else {
            bytes = ByteBuffer.allocate((int) len);
            long at = position();
            fill(bytes, at);
            bytes.flip();
            window.limit(0);
            windowStart = at + len;
        }
        try {
            CharBuffer chars = utf8.reset().decode(bytes);
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw bad(what + " is not valid UTF-8");
        }
    }
}
