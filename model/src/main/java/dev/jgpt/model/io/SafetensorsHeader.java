package dev.jgpt.model.io;

import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import dev.jgpt.model.ModelLoadException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses a safetensors JSON header in memory bounded by its size: the bytes are first scanned for strings longer
 * than {@link #MAX_STRING} and nesting deeper than {@link #MAX_DEPTH} (what would make a parser allocate many times
 * the header), then streamed straight into entries, {@code __metadata__} skipped without building it.
 */
final class SafetensorsHeader {
    /** Longest string (name, dtype, metadata value) accepted, in bytes. */
    static final int MAX_STRING = 1 << 16;
    /** Deepest nesting accepted (the format needs 3). */
    static final int MAX_DEPTH = 16;

    private SafetensorsHeader() {
    }

    /** The entries of {@code header}, validated against a data section of {@code dataSize} bytes. */
    static Map<String, SafetensorsFile.Entry> parse(Path path, byte[] header, long dataSize) {
        scan(path, header);
        Map<String, SafetensorsFile.Entry> entries = new LinkedHashMap<>();
        try (JsonReader r = new JsonReader(new InputStreamReader(new ByteArrayInputStream(header),
                StandardCharsets.UTF_8))) {
            if (r.peek() != JsonToken.BEGIN_OBJECT) {
                throw bad(path, "header is not a JSON object");
            }
            r.beginObject();
            while (r.hasNext()) {
                String name = r.nextName();
                if (name.equals("__metadata__")) {
                    r.skipValue();
                } else if (entries.containsKey(name)) {
                    throw bad(path, "tensor '" + name + "' appears twice in the header");
                } else {
                    entries.put(name, entry(path, name, r, dataSize));
                }
            }
            r.endObject();
        } catch (ModelLoadException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw bad(path, "header is not valid JSON");
        }
        checkOverlaps(path, entries);
        return Collections.unmodifiableMap(entries);
    }

    /** Refuses over-long strings and deep nesting, looking only at the bytes. */
    private static void scan(Path path, byte[] h) {
        int depth = 0;
        boolean inString = false;
        int stringStart = 0;
        for (int i = 0; i < h.length; i++) {
            byte b = h[i];
            if (inString) {
                if (b == '\\') {
                    i++;
                } else if (b == '"') {
                    inString = false;
                }
                if (i - stringStart > MAX_STRING) {
                    throw bad(path, "the header holds a string of more than " + MAX_STRING + " bytes (at byte "
                            + stringStart + "); names, dtypes and metadata are short");
                }
            } else if (b == '"') {
                inString = true;
                stringStart = i;
            } else if (b == '{' || b == '[') {
                if (++depth > MAX_DEPTH) {
                    throw bad(path, "the header nests deeper than " + MAX_DEPTH + " levels (at byte " + i + ")");
                }
            } else if (b == '}' || b == ']') {
                depth--;
            }
        }
    }

    private static SafetensorsFile.Entry entry(Path path, String name, JsonReader r, long dataSize)
            throws IOException {
        String dtype = null;
        List<Long> shape = null;
        List<Long> offsets = null;
        try {
            r.beginObject();
            while (r.hasNext()) {
                switch (r.nextName()) {
                    case "dtype":
                        dtype = r.nextString();
                        break;
                    case "shape":
                        shape = longs(r);
                        break;
                    case "data_offsets":
                        offsets = longs(r);
                        break;
                    default:
                        r.skipValue();
                }
            }
            r.endObject();
        } catch (IllegalStateException | NumberFormatException e) {
            throw malformed(path, name);
        }
        if (dtype == null || shape == null || offsets == null) {
            throw malformed(path, name);
        }
        return validated(path, name, dtype, shape, offsets, dataSize);
    }

    private static List<Long> longs(JsonReader r) throws IOException {
        List<Long> values = new ArrayList<>();
        r.beginArray();
        while (r.hasNext()) {
            values.add(r.nextLong());
        }
        r.endArray();
        return values;
    }

    private static SafetensorsFile.Entry validated(Path path, String name, String dtype, List<Long> dims,
            List<Long> offsets, long dataSize) {
        int[] shape = new int[dims.size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            long d = dims.get(i);
            if (d < 0 || d > Integer.MAX_VALUE) {
                throw bad(path, "tensor '" + name + "' has dimension " + d);
            }
            shape[i] = (int) d;
            try {
                count = Math.multiplyExact(count, d);
            } catch (ArithmeticException e) {
                throw bad(path, "tensor '" + name + "' has a shape " + dims + " too large to exist");
            }
        }
        if (offsets.size() != 2) {
            throw bad(path, "tensor '" + name + "' needs data_offsets [begin, end]");
        }
        long begin = offsets.get(0);
        long end = offsets.get(1);
        if (begin < 0 || end < begin || end > dataSize) {
            throw bad(path, "tensor '" + name + "' has offsets [" + begin + ", " + end
                    + "] outside the data section of " + dataSize + " bytes (truncated?)");
        }
        int width = dtypeSize(dtype);
        if (width > 0 && (count > Long.MAX_VALUE / width || count * width != end - begin)) {
            throw bad(path, "tensor '" + name + "': " + dtype + Arrays.toString(shape) + " needs "
                    + count * width + " bytes but its offsets span " + (end - begin));
        }
        return new SafetensorsFile.Entry(name, dtype, shape, begin, end);
    }

    private static void checkOverlaps(Path path, Map<String, SafetensorsFile.Entry> entries) {
        List<SafetensorsFile.Entry> byOffset = new ArrayList<>(entries.values());
        byOffset.sort((a, b) -> Long.compare(a.begin(), b.begin()));
        for (int i = 1; i < byOffset.size(); i++) {
            SafetensorsFile.Entry prev = byOffset.get(i - 1);
            SafetensorsFile.Entry cur = byOffset.get(i);
            if (cur.begin() < prev.end() && cur.end() > cur.begin()) {
                throw bad(path, "tensors '" + prev.name() + "' and '" + cur.name() + "' overlap");
            }
        }
    }

    /** Bytes per element of a dtype, or 0 for dtypes we recognise but cannot load (an error when read). */
    private static int dtypeSize(String dtype) {
        switch (dtype) {
            case "F32":
            case "I32":
            case "U32":
                return 4;
            case "F16":
            case "BF16":
            case "I16":
            case "U16":
                return 2;
            case "F64":
            case "I64":
            case "U64":
                return 8;
            case "I8":
            case "U8":
            case "BOOL":
                return 1;
            default:
                return 0;
        }
    }

    private static ModelLoadException malformed(Path path, String name) {
        return bad(path, "header entry '" + name + "' is malformed (needs dtype, shape, data_offsets)");
    }

    static ModelLoadException bad(Path path, String what) {
        return new ModelLoadException(path + ": " + what);
    }
}
