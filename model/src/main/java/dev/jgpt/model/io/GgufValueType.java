package dev.jgpt.model.io;

/**
 * The 13 value types of GGUF metadata, by their numbers in the file: 0 u8 … 12 f64, 8 a string (u64 byte length, then
 * UTF-8), 9 an array (u32 element type, u64 count, the elements).
 */
public enum GgufValueType {
    UINT8(1),
    INT8(1),
    UINT16(2),
    INT16(2),
    UINT32(4),
    INT32(4),
    FLOAT32(4),
    BOOL(1),
    STRING(8),
    ARRAY(12),
    UINT64(8),
    INT64(8),
    FLOAT64(8);

    private static final GgufValueType[] BY_ID = values();
    private final int minBytes;

    GgufValueType(int minBytes) {
        this.minBytes = minBytes;
    }

    /** The type numbered {@code id} in a file, or null when there is none. */
    static GgufValueType of(long id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[(int) id] : null;
    }

    /** The fewest bytes one value of this type takes in a file (a string's or an array's length fields alone). */
    int minBytes() {
        return minBytes;
    }

    /** Whether this is one of the eight integer types. */
    public boolean integer() {
        return this != FLOAT32 && this != FLOAT64 && this != BOOL && this != STRING && this != ARRAY;
    }
}
