package dev.jgpt.model.io;

/**
 * A metadata array, its elements held as one array of their own width (so that it takes no more memory than the file
 * spends on it): {@code byte[]} for u8, i8 and bool; {@code short[]} for u16 and i16; {@code int[]} for u32 and i32;
 * {@code long[]} for u64 and i64; {@code float[]}; {@code double[]}; {@code String[]}; {@code GgufArray[]} when nested.
 *
 * @param elementType the elements' type
 * @param elements    the elements, as above
 * @param length      how many there are
 */
public record GgufArray(GgufValueType elementType, Object elements, int length) {

    @Override
    public String toString() {
        return "array of " + length + " " + elementType;
    }
}
