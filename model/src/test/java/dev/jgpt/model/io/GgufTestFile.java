package dev.jgpt.model.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A minimal GGUF v3 parser for tests only (the project's reader is {@code GgufFile}): the whole file read into memory,
 * metadata values as Java objects (integers as Long, floats as Double, strings, booleans, arrays as lists), tensor
 * infos, and each tensor's data bytes. It checks what the tests rely on: magic, version, alignment of every offset.
 */
final class GgufTestFile {
    record Info(String name, long[] dims, int type, long offset) {
    }

    final int version;
    final Map<String, Object> metadata = new LinkedHashMap<>();
    final Map<String, Info> tensors = new LinkedHashMap<>();
    final long dataStart;
    private final ByteBuffer file;

    private GgufTestFile(ByteBuffer b) {
        this.file = b;
        byte[] magic = new byte[4];
        b.get(magic);
        if (!new String(magic, StandardCharsets.US_ASCII).equals("GGUF")) {
            throw new IllegalStateException("not GGUF");
        }
        version = b.getInt();
        long nTensors = b.getLong();
        long nKv = b.getLong();
        for (long i = 0; i < nKv; i++) {
            String key = string(b);
            Object before = metadata.put(key, value(b, b.getInt()));
            if (before != null) {
                throw new IllegalStateException("key " + key + " twice");
            }
        }
        for (long i = 0; i < nTensors; i++) {
            String name = string(b);
            int n = b.getInt();
            long[] dims = new long[n];
            for (int d = 0; d < n; d++) {
                dims[d] = b.getLong();
            }
            tensors.put(name, new Info(name, dims, b.getInt(), b.getLong()));
        }
        long align = metadata.containsKey("general.alignment") ? (Long) metadata.get("general.alignment") : 32;
        dataStart = (b.position() + align - 1) / align * align;
        for (Info t : tensors.values()) {
            if (t.offset() % align != 0) {
                throw new IllegalStateException(t.name() + " at offset " + t.offset() + " is not aligned");
            }
        }
    }

    static GgufTestFile read(Path p) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            ByteBuffer b = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size()).order(ByteOrder.LITTLE_ENDIAN);
            return new GgufTestFile(b);
        }
    }

    /** A tensor's data bytes (their count from its type and dims). */
    byte[] data(String name) {
        Info t = tensors.get(name);
        long n = 1;
        for (long d : t.dims()) {
            n *= d;
        }
        long bytes = switch (t.type()) {
            case 0 -> n * 4;
            case 1, 30 -> n * 2;
            case 8 -> n / 32 * 34;
            case 2 -> n / 32 * 18;
            default -> throw new IllegalStateException("type " + t.type());
        };
        byte[] out = new byte[Math.toIntExact(bytes)];
        file.duplicate().position(Math.toIntExact(dataStart + t.offset())).get(out);
        return out;
    }

    /** The file's size. */
    long size() {
        return file.capacity();
    }

    @SuppressWarnings("unchecked")
    List<String> strings(String key) {
        return (List<String>) metadata.get(key);
    }

    private static String string(ByteBuffer b) {
        byte[] s = new byte[Math.toIntExact(b.getLong())];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }

    private static Object value(ByteBuffer b, int type) {
        return switch (type) {
            case 0 -> (long) (b.get() & 0xff);
            case 1 -> (long) b.get();
            case 2 -> (long) (b.getShort() & 0xffff);
            case 3 -> (long) b.getShort();
            case 4 -> b.getInt() & 0xffffffffL;
            case 5 -> (long) b.getInt();
            case 6 -> (double) b.getFloat();
            case 7 -> b.get() != 0;
            case 8 -> string(b);
            case 9 -> {
                int et = b.getInt();
                long n = b.getLong();
                List<Object> list = new ArrayList<>();
                for (long i = 0; i < n; i++) {
                    list.add(value(b, et));
                }
                yield list;
            }
            case 10, 11 -> b.getLong();
            case 12 -> b.getDouble();
            default -> throw new IllegalStateException("value type " + type);
        };
    }

    /** The type tag a key's value was stored with, re-read (for type checks). */
    int typeOf(String key) {
        ByteBuffer b = file.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        b.position(24);
        for (int i = 0; i < metadata.size(); i++) {
            String k = string(b);
            int type = b.getInt();
            if (k.equals(key)) {
                return type;
            }
            value(b, type);
        }
        return -1;
    }
}
