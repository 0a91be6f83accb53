package dev.jgpt.model.io;

import dev.jgpt.api.WeightData;
import dev.jgpt.model.ModelLoadException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A GGUF file (v3, and v2, which is laid out alike), validated: magic {@code GGUF}, u32 version, u64 tensor count, u64
 * metadata count, the metadata (all 13 value types, arrays nested), the tensor infos (name, 1 to 4 dims innermost
 * first, ggml type, offset), then the data section, which starts at the next multiple of {@code general.alignment}
 * (default 32). Everything is checked before any tensor is read: counts, lengths and dims under the limits below and
 * within the file; tensors of a type jgpt loads (F32, F16, BF16, Q8_0, Q4_0: any other is refused naming the tensor and
 * its type), offsets aligned, inside the data section, no two tensors overlapping. Errors are one-line
 * {@link ModelLoadException}s naming the file.
 *
 * <p>Nothing is memory-mapped (mapped pages count as the process's resident memory): the header is read through a
 * small window and each tensor, when asked for, with {@link FileChannel#read} into one direct buffer of its size.
 */
public final class GgufFile implements AutoCloseable {
    /** {@code GGUF} read as a little-endian u32. */
    static final int MAGIC = 0x46554747;
    /** The metadata key of the data alignment. */
    public static final String ALIGNMENT_KEY = "general.alignment";
    /** The alignment when the file does not say. */
    public static final int DEFAULT_ALIGNMENT = 32;
    /** Most tensors accepted (the largest published models have a few thousand). */
    public static final long MAX_TENSORS = 1 << 16;
    /** Most metadata entries accepted. */
    public static final long MAX_METADATA = 1 << 16;
    /** Longest metadata key, in bytes (the GGUF spec's own limit). */
    public static final int MAX_KEY_BYTES = (1 << 16) - 1;
    /** Longest tensor name, in bytes (ggml's own limit is 63). */
    public static final int MAX_NAME_BYTES = 1 << 10;
    /** Longest string value, in bytes (chat templates, the longest in practice, are tens of kilobytes). */
    public static final int MAX_STRING_BYTES = 1 << 20;
    /** Most elements of one array (vocabularies and merge lists are a few hundred thousand). */
    public static final long MAX_ARRAY_LENGTH = 1 << 24;
    /** Deepest nesting of arrays in arrays. */
    public static final int MAX_ARRAY_DEPTH = 8;
    /** Most dims of a tensor (ggml's {@code GGML_MAX_DIMS}). */
    public static final int MAX_DIMS = 4;
    /** Largest alignment accepted. */
    public static final int MAX_ALIGNMENT = 1 << 16;

    private final Path path;
    private final FileChannel channel;
    private final GgufParser.Header header;
    private final Map<String, GgufTensorInfo> tensors;

    private GgufFile(Path path, FileChannel channel, GgufParser.Header header, Map<String, GgufTensorInfo> tensors) {
        this.path = path;
        this.channel = channel;
        this.header = header;
        this.tensors = tensors;
    }

    /** Whether {@code path} is a regular file whose first four bytes are {@code GGUF}. */
    public static boolean isGguf(Path path) {
        if (!Files.isRegularFile(path)) {
            return false;
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            while (b.hasRemaining() && ch.read(b) >= 0) {
                // read up to four bytes
            }
            return !b.hasRemaining() && b.flip().getInt() == MAGIC;
        } catch (IOException e) {
            return false;
        }
    }

    /** Opens and validates a file; throws {@link ModelLoadException} naming the file and what is wrong. */
    public static GgufFile open(Path path) {
        FileChannel ch;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new ModelLoadException(path + " does not exist");
        } catch (IOException e) {
            throw new ModelLoadException("cannot open " + path + ": " + e.getMessage(), e);
        }
        try {
            GgufCursor in = new GgufCursor(path, ch, ch.size());
            GgufParser.Header h = GgufParser.parse(in, path);
            return new GgufFile(path, ch, h, placed(in, h));
        } catch (RuntimeException | IOException e) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // already failing
            }
            if (e instanceof ModelLoadException m) {
                throw m;
            }
            throw new ModelLoadException(path + ": cannot be read (" + e.getMessage() + ")", e);
        }
    }

    /** The tensors by name, after checking that each lies aligned inside the data section and none overlap. */
    private static Map<String, GgufTensorInfo> placed(GgufCursor in, GgufParser.Header h) {
        long dataSize = in.size() - h.dataStart();
        for (GgufTensorInfo t : h.tensors()) {
            if (t.offset() < 0 || t.offset() % h.alignment() != 0) {
                throw in.bad("tensor '" + t.name() + "' has offset " + Long.toUnsignedString(t.offset())
                        + ", not a multiple of the alignment " + h.alignment());
            }
            if (dataSize < t.bytes() || t.offset() > dataSize - t.bytes()) {
                throw in.bad("tensor '" + t.name() + "' (" + t.bytes() + " bytes at offset " + t.offset()
                        + ") lies beyond the end of the data section, " + Math.max(0, dataSize) + " bytes from byte "
                        + h.dataStart() + " (truncated?)");
            }
        }
        List<GgufTensorInfo> byOffset = new ArrayList<>(h.tensors());
        byOffset.sort((a, b) -> Long.compare(a.offset(), b.offset()));
        for (int i = 1; i < byOffset.size(); i++) {
            GgufTensorInfo prev = byOffset.get(i - 1);
            GgufTensorInfo cur = byOffset.get(i);
            if (cur.offset() < prev.offset() + prev.bytes()) {
                throw in.bad("tensors '" + prev.name() + "' and '" + cur.name() + "' overlap (bytes "
                        + prev.offset() + "–" + (prev.offset() + prev.bytes()) + " and " + cur.offset() + "–"
                        + (cur.offset() + cur.bytes()) + " of the data section)");
            }
        }
        Map<String, GgufTensorInfo> byName = new LinkedHashMap<>();
        h.tensors().forEach(t -> byName.put(t.name(), t));
        return Collections.unmodifiableMap(byName);
    }

    /** The file this was read from. */
    public Path path() {
        return path;
    }

    /** The GGUF version (2 or 3). */
    public int version() {
        return header.version();
    }

    /** The metadata. */
    public GgufMetadata metadata() {
        return header.metadata();
    }

    /** The data alignment. */
    public int alignment() {
        return header.alignment();
    }

    /** Where the data section starts, in bytes from the start of the file. */
    public long dataStart() {
        return header.dataStart();
    }

    /** The tensor infos by name, in file order. */
    public Map<String, GgufTensorInfo> tensors() {
        return tensors;
    }

    /** The tensor of that name, or null. */
    public GgufTensorInfo tensor(String name) {
        return tensors.get(name);
    }

    /** Largest single read (1 MiB): see {@link #read}. */
    static final int READ_CHUNK = 1 << 20;

    /**
     * A tensor's bytes, read from the file into one new direct buffer (nothing mapped, nothing else kept), as a weight
     * of jgpt's shape ({@link GgufTensorInfo#shape()}: dims reversed, so matrices are [out, in]).
     */
    public WeightData read(GgufTensorInfo t) {
        if (t.bytes() > Integer.MAX_VALUE - 8) {
            throw new ModelLoadException(path + ": tensor '" + t.name() + "' takes " + t.bytes() + " bytes, more "
                    + "than one Java array holds (2 GiB)");
        }
        // Off the heap: the backend copies the bytes into its own arrays, and the buffer is freed (to the system,
        // not to a heap that stays as large as its peak) once the weight is garbage; a heap array here left GPT-2's
        // resident memory after load 130 MB higher (F32, serial collector).
        ByteBuffer b = ByteBuffer.allocateDirect((int) t.bytes());
        long pos = header.dataStart() + t.offset();
        try {
            while (b.hasRemaining()) {
                // at most READ_CHUNK bytes per read (a read into a heap buffer would go through a temporary direct
                // buffer of the read's size, which the JDK keeps for the thread)
                ByteBuffer part = b.slice();
                part.limit(Math.min(part.remaining(), READ_CHUNK));
                int n = channel.read(part, pos);
                if (n > 0) {
                    b.position(b.position() + n);
                }
                if (n < 0) {
                    throw new ModelLoadException(path + ": the file ended inside tensor '" + t.name()
                            + "' (was it truncated meanwhile?)");
                }
                pos += n;
            }
        } catch (IOException e) {
            throw new ModelLoadException(path + ": cannot read tensor '" + t.name() + "': " + e.getMessage(), e);
        }
        return new WeightData(t.name(), t.dtype(), b.flip(), t.shape());
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
