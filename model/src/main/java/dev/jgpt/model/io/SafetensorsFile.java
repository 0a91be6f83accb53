package dev.jgpt.model.io;

import dev.jgpt.api.DType;
import dev.jgpt.model.ModelLoadException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * A {@code .safetensors} file, validated and memory-mapped: an 8-byte little-endian header length, a JSON header
 * {@code {name: {dtype, shape, data_offsets: [begin, end]}}} (offsets relative to the data section after the header),
 * then the raw little-endian data. Every entry is checked before any tensor is read: known dtype, byte count equal to
 * ∏ shape × dtype size, offsets inside the data section, no two tensors overlapping.
 */
public final class SafetensorsFile implements AutoCloseable {
    /** Largest header we parse; real headers are a few hundred kilobytes at most. */
    static final long MAX_HEADER_BYTES = 100L << 20;

    /** One tensor's entry in the header. */
    public record Entry(String name, String dtype, int[] shape, long begin, long end) {
    }

    private final Path path;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, Entry> entries;

    private SafetensorsFile(Path path, FileChannel channel, long dataStart, Map<String, Entry> entries) {
        this.path = path;
        this.channel = channel;
        this.dataStart = dataStart;
        this.entries = entries;
    }

    /** Opens and validates a file; throws {@link ModelLoadException} naming what is wrong. */
    public static SafetensorsFile open(Path path) {
        FileChannel ch;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new ModelLoadException("no model.safetensors in " + path.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new ModelLoadException("cannot open " + path + ": " + e.getMessage(), e);
        }
        try {
            long size = ch.size();
            if (size < 8) {
                throw bad(path, "file is " + size + " bytes, shorter than the 8-byte header length (truncated?)");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.flip().getLong();
            if (headerLen < 2 || headerLen > size - 8) {
                throw bad(path, "header length " + Long.toUnsignedString(headerLen) + " does not fit the file of "
                        + size + " bytes (truncated or corrupt)");
            }
            if (headerLen > MAX_HEADER_BYTES) {
                throw bad(path, "header length " + headerLen + " exceeds the limit of " + MAX_HEADER_BYTES);
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLen);
            readFully(ch, header, 8);
            Map<String, Entry> entries = SafetensorsHeader.parse(path, header.array(), size - 8 - headerLen);
            return new SafetensorsFile(path, ch, 8 + headerLen, entries);
        } catch (RuntimeException | IOException e) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // already failing
            }
            if (e instanceof ModelLoadException) {
                throw (ModelLoadException) e;
            }
            throw bad(path, "cannot be read (" + e.getMessage() + ")");
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
            pos += n;
        }
    }

    private static ModelLoadException bad(Path path, String what) {
        return new ModelLoadException(path + ": " + what);
    }

    /** The file this was read from. */
    public Path path() {
        return path;
    }

    /** The entries, in header order. */
    public Map<String, Entry> entries() {
        return entries;
    }

    /** The entry of that name, or null. */
    public Entry entry(String name) {
        return entries.get(name);
    }

    /**
     * A tensor's bytes as stored (little-endian), a read-only view of the memory-mapped file, for the dtypes that load:
     * F32, F16 and BF16 ({@link #dtype}). Other dtypes are refused.
     */
    public ByteBuffer bytes(Entry e) {
        dtype(e);
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, dataStart + e.begin(), e.end() - e.begin())
                    .order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException ex) {
            throw new ModelLoadException("cannot map tensor '" + e.name() + "' of " + path + ": " + ex.getMessage(),
                    ex);
        }
    }

    /** The dtype of an entry that loads (F32, F16, BF16); the others are refused naming the tensor. */
    public DType dtype(Entry e) {
        switch (e.dtype()) {
            case "F32":
                return DType.F32;
            case "F16":
                return DType.F16;
            case "BF16":
                return DType.BF16;
            default:
                throw bad(path, "tensor '" + e.name() + "' has dtype " + e.dtype() + "; only F32, F16 and BF16 load");
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing to do: the file was only read
        }
    }
}
