package dev.jgpt.model.io;

import dev.jgpt.api.DType;
import dev.jgpt.api.Shapes;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects metadata and tensors and writes them as one GGUF v3 file, atomically (see {@link AtomicFiles}): magic
 * {@code GGUF}, u32 version 3, u64 tensor count, u64 metadata count, the metadata (keys and strings are a u64 byte
 * length then UTF-8; each value is a u32 type tag then the value; an array is its element type, a u64 count and the
 * elements), the tensor infos (name, u32 number of dimensions, u64 dimensions innermost first, u32 ggml type, u64
 * offset from the start of the data section), then the data section. The data section starts at a multiple of
 * {@value #ALIGNMENT} bytes, and so does every tensor in it (zero bytes pad the gaps), which is what
 * {@code general.alignment} means when it is absent or 32; this writer always writes that key.
 *
 * <p>Tensor data is not held here: each tensor's bytes are written by its {@link AtomicFiles.Content} when the file is
 * written, one tensor after another, so a model larger than the heap can be written as long as one tensor fits. The
 * byte count each writes is checked against its type and shape.
 */
public final class GgufWriter {
    /** The alignment of the data section and of every tensor in it. */
    public static final int ALIGNMENT = 32;
    /** The longest tensor name GGUF allows, in bytes ({@code GGML_MAX_NAME} − 1). */
    public static final int MAX_NAME_BYTES = 63;

    static final byte[] MAGIC = {'G', 'G', 'U', 'F'};
    static final int VERSION = 3;

    // the value types of GGUF metadata
    static final int UINT32 = 4;
    static final int INT32 = 5;
    static final int FLOAT32 = 6;
    static final int BOOL = 7;
    static final int STRING = 8;
    static final int ARRAY = 9;
    static final int UINT64 = 10;

    private final Map<String, byte[]> metadata = new LinkedHashMap<>();
    private final Map<String, Tensor> tensors = new LinkedHashMap<>();

    /** One tensor to write: its type, its shape (outermost first) and what writes its bytes. */
    private record Tensor(DType type, int[] shape, long bytes, AtomicFiles.Content data) {
    }

    public GgufWriter() {
        putU32("general.alignment", ALIGNMENT);
    }

    /** Adds a string value. */
    public GgufWriter putString(String key, String value) {
        return put(key, STRING, string(value));
    }

    /** Adds an unsigned 32-bit value ({@code value} taken as unsigned). */
    public GgufWriter putU32(String key, int value) {
        return put(key, UINT32, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array());
    }

    /** Adds an unsigned 64-bit value. */
    public GgufWriter putU64(String key, long value) {
        return put(key, UINT64, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value).array());
    }

    /** Adds a 32-bit float value. */
    public GgufWriter putF32(String key, float value) {
        return put(key, FLOAT32, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(value).array());
    }

    /** Adds a boolean value. */
    public GgufWriter putBool(String key, boolean value) {
        return put(key, BOOL, new byte[] {(byte) (value ? 1 : 0)});
    }

    /** Adds an array of strings. */
    public GgufWriter putStrings(String key, List<String> values) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(u32(STRING));
        b.writeBytes(u64(values.size()));
        for (String v : values) {
            b.writeBytes(string(v));
        }
        return put(key, ARRAY, b.toByteArray());
    }

    /** Adds an array of signed 32-bit values. */
    public GgufWriter putI32s(String key, int[] values) {
        ByteBuffer b = ByteBuffer.allocate(12 + 4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(INT32).putLong(values.length);
        for (int v : values) {
            b.putInt(v);
        }
        return put(key, ARRAY, b.array());
    }

    private GgufWriter put(String key, int type, byte[] value) {
        if (metadata.containsKey(key)) {
            throw new IllegalArgumentException("metadata key '" + key + "' is already set");
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream(value.length + 4);
        b.writeBytes(u32(type));
        b.writeBytes(value);
        metadata.put(key, b.toByteArray());
        return this;
    }

    /**
     * Adds a tensor of {@code type} and {@code shape} (outermost first, at most 4 dimensions; the last is the row that
     * quantization blocks run along), whose {@code data} writes exactly {@link DType#bytes} of that shape.
     */
    public GgufWriter tensor(String name, DType type, int[] shape, AtomicFiles.Content data) {
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            throw new IllegalArgumentException("tensor name '" + name + "' is longer than " + MAX_NAME_BYTES
                    + " bytes");
        }
        if (shape.length < 1 || shape.length > 4) {
            throw new IllegalArgumentException(name + ": GGUF tensors have 1 to 4 dimensions, not " + shape.length);
        }
        if (tensors.containsKey(name)) {
            throw new IllegalArgumentException("tensor '" + name + "' is already added");
        }
        int width = shape[shape.length - 1];
        long bytes = type.bytes(Shapes.size(shape) / width, width);
        tensors.put(name, new Tensor(type, shape.clone(), bytes, data));
        return this;
    }

    /** Adds a tensor whose bytes are given. */
    public GgufWriter tensor(String name, DType type, int[] shape, byte[] data) {
        return tensor(name, type, shape, out -> out.write(data));
    }

    /** Writes the file atomically: nothing appears at {@code target} unless all of it was written. */
    public void write(Path target) throws IOException {
        AtomicFiles.write(target, content());
    }

    /** The file's content, for {@link AtomicFiles}. */
    public AtomicFiles.Content content() {
        byte[] header = header();
        return out -> {
            out.write(header);
            long at = 0;
            for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
                Tensor t = e.getValue();
                Counting counted = new Counting(out);
                t.data().writeTo(counted);
                if (counted.count != t.bytes()) {
                    throw new IllegalStateException("tensor '" + e.getKey() + "' wrote " + counted.count
                            + " bytes; " + t.type() + " " + Arrays.toString(t.shape()) + " takes " + t.bytes());
                }
                at += t.bytes();
                int pad = padding(at);
                out.write(new byte[pad]);
                at += pad;
            }
        };
    }

    /** Everything before the data section, padding included. */
    private byte[] header() {
        ByteArrayOutputStream b = new ByteArrayOutputStream(1 << 16);
        b.writeBytes(MAGIC);
        b.writeBytes(u32(VERSION));
        b.writeBytes(u64(tensors.size()));
        b.writeBytes(u64(metadata.size()));
        for (Map.Entry<String, byte[]> kv : metadata.entrySet()) {
            b.writeBytes(string(kv.getKey()));
            b.writeBytes(kv.getValue());
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            b.writeBytes(string(e.getKey()));
            b.writeBytes(u32(t.shape().length));
            for (int d = t.shape().length - 1; d >= 0; d--) {
                b.writeBytes(u64(t.shape()[d]));
            }
            b.writeBytes(u32(GgmlType.id(t.type())));
            b.writeBytes(u64(offset));
            offset += t.bytes() + padding(t.bytes());
        }
        b.writeBytes(new byte[padding(b.size())]);
        return b.toByteArray();
    }

    /** Zero bytes that bring {@code at} to the next multiple of the alignment. */
    static int padding(long at) {
        return (int) ((ALIGNMENT - at % ALIGNMENT) % ALIGNMENT);
    }

    /** A string's encoding (u64 byte length, UTF-8). */
    private static byte[] string(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + utf8.length).order(ByteOrder.LITTLE_ENDIAN);
        return b.putLong(utf8.length).put(utf8).array();
    }

    private static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    private static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    /** The tensor names in file order. */
    public List<String> tensorNames() {
        return new ArrayList<>(tensors.keySet());
    }

    /** Counts what passes through, and does not close the stream beneath. */
    private static final class Counting extends FilterOutputStream {
        long count;

        Counting(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        @Override
        public void close() {
            // the file's stream is closed by AtomicFiles
        }
    }
}
