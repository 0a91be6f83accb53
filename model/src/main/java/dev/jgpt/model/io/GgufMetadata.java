package dev.jgpt.model.io;

import dev.jgpt.model.ModelLoadException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Set;

/**
 * The metadata of a GGUF file, key to value in file order, with typed getters whose errors are one line naming the
 * file and the key.
 */
public final class GgufMetadata {
    private final Path path;
    private final Map<String, GgufValue> values;

    GgufMetadata(Path path, Map<String, GgufValue> values) {
        this.path = path;
        this.values = Collections.unmodifiableMap(values);
    }

    /** The keys, in file order. */
    public Set<String> keys() {
        return values.keySet();
    }

    /** The value of {@code key}, or null when the file has none. */
    public GgufValue get(String key) {
        return values.get(key);
    }

    /** Whether the file has {@code key}. */
    public boolean has(String key) {
        return values.containsKey(key);
    }

    private GgufValue required(String key) {
        GgufValue v = values.get(key);
        if (v == null) {
            throw new ModelLoadException(path + ": metadata key '" + key + "' is missing");
        }
        return v;
    }

    private ModelLoadException wrongType(String key, GgufValue v, String wanted) {
        return new ModelLoadException(path + ": metadata key '" + key + "' is " + v.type() + " " + v + ", not "
                + wanted);
    }

    /** The string {@code key}. */
    public String string(String key) {
        GgufValue v = required(key);
        if (v.type() != GgufValueType.STRING) {
            throw wrongType(key, v, "a string");
        }
        return (String) v.value();
    }

    /** The string {@code key}, or null when the file has none. */
    public String stringOrNull(String key) {
        return has(key) ? string(key) : null;
    }

    /** The integer {@code key} (any of the eight integer types; a u64 above 2⁶³ − 1 is refused). */
    public long integer(String key) {
        GgufValue v = required(key);
        if (!v.type().integer()) {
            throw wrongType(key, v, "an integer");
        }
        long n = (Long) v.value();
        if (v.type() == GgufValueType.UINT64 && n < 0) {
            throw new ModelLoadException(path + ": metadata key '" + key + "' is " + Long.toUnsignedString(n)
                    + ", far too large");
        }
        return n;
    }

    /** The integer {@code key} as an int, refused (naming the key) when it is outside {@code min..max}. */
    public int integer(String key, int min, int max) {
        long n = integer(key);
        if (n < min || n > max) {
            throw new ModelLoadException(path + ": metadata key '" + key + "' is " + n + ", outside " + min + ".."
                    + max);
        }
        return (int) n;
    }

    /** The number {@code key}: a float32 or float64 (an integer is accepted too). */
    public double number(String key) {
        GgufValue v = required(key);
        return switch (v.type()) {
            case FLOAT32 -> (Float) v.value();
            case FLOAT64 -> (Double) v.value();
            default -> {
                if (!v.type().integer()) {
                    throw wrongType(key, v, "a number");
                }
                yield integer(key);
            }
        };
    }

    /** The array of strings {@code key}, or null when the file has none. */
    public String[] stringsOrNull(String key) {
        GgufValue v = values.get(key);
        if (v == null) {
            return null;
        }
        if (v.type() != GgufValueType.ARRAY || ((GgufArray) v.value()).elementType() != GgufValueType.STRING) {
            throw wrongType(key, v, "an array of strings");
        }
        return ((String[]) ((GgufArray) v.value()).elements()).clone();
    }
}
