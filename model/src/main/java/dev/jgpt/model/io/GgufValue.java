package dev.jgpt.model.io;

/**
 * One metadata value as read. Scalars: {@link Long} for the eight integer types (a {@code UINT64} as its 64 bits),
 * {@link Float}, {@link Double}, {@link Boolean}, {@link String}. Arrays: a {@link GgufArray}.
 *
 * @param type  its type in the file
 * @param value the value, of the class above
 */
public record GgufValue(GgufValueType type, Object value) {

    /** The value for a message: strings quoted and cut at 60 characters. */
    @Override
    public String toString() {
        if (type != GgufValueType.STRING) {
            return String.valueOf(value);
        }
        String s = (String) value;
        return "'" + (s.length() > 60 ? s.substring(0, 60) + "…" : s) + "'";
    }
}
