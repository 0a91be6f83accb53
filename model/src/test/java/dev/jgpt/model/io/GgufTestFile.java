package dev.jgpt.model.io;

import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A GGUF file as the tests compare them, read by the project's reader ({@link GgufFile}): metadata values as plain
 * Java objects that compare by value (integers as Long, floats as Double, strings, booleans, arrays as lists), their
 * value types by number, the tensor infos (dims innermost first, ggml type by number, offset) and each tensor's data
 * bytes.
 */
final class GgufTestFile {
    record Info(String name, long[] dims, int type, long offset) {
    }

    final int version;
    final long dataStart;
    final Map<String, Object> metadata = new LinkedHashMap<>();
    final Map<String, Info> tensors = new LinkedHashMap<>();
    private final Map<String, Integer> types = new LinkedHashMap<>();
    private final Map<String, byte[]> data = new LinkedHashMap<>();

    private GgufTestFile(GgufFile f) {
        version = f.version();
        dataStart = f.dataStart();
        for (String key : f.metadata().keys()) {
            GgufValue v = f.metadata().get(key);
            metadata.put(key, plain(v.type(), v.value()));
            types.put(key, v.type().ordinal());
        }
        for (GgufTensorInfo t : f.tensors().values()) {
            long[] dims = new long[t.ne().length];
            for (int d = 0; d < dims.length; d++) {
                dims[d] = t.ne()[d];
            }
            tensors.put(t.name(), new Info(t.name(), dims, GgmlType.id(t.dtype()), t.offset()));
            ByteBuffer b = f.read(t).bytes();
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            data.put(t.name(), bytes);
        }
    }

    static GgufTestFile read(Path p) {
        try (GgufFile f = GgufFile.open(p)) {
            return new GgufTestFile(f);
        }
    }

    /** A tensor's data bytes. */
    byte[] data(String name) {
        return data.get(name).clone();
    }

    @SuppressWarnings("unchecked")
    List<String> strings(String key) {
        return (List<String>) metadata.get(key);
    }

    /** The number of the value type {@code key} is stored with (4 u32, 6 f32, 8 string, 9 array, ...), or -1. */
    int typeOf(String key) {
        return types.getOrDefault(key, -1);
    }

    private static Object plain(GgufValueType type, Object value) {
        return switch (type) {
            case FLOAT32 -> (double) (Float) value;
            case ARRAY -> {
                GgufArray a = (GgufArray) value;
                List<Object> list = new ArrayList<>(a.length());
                for (int i = 0; i < a.length(); i++) {
                    list.add(plain(a.elementType(), Array.get(a.elements(), i)));
                }
                yield list;
            }
            default -> value instanceof Number n && type.integer() ? (Object) n.longValue() : value;
        };
    }
}
