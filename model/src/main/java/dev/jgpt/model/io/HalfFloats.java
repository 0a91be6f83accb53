package dev.jgpt.model.io;

/** IEEE half (F16) and bfloat16 (BF16) conversions, both ways. */
public final class HalfFloats {
    private HalfFloats() {
    }

    /** bfloat16 is the top 16 bits of a float32. */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /** float32 to bfloat16, rounding to nearest even. */
    public static short floatToBf16(float f) {
        return dev.jgpt.api.Quantize.floatToBf16(f);
    }

    /** IEEE 754 half precision to float32 (exact), as the SPI decodes it ({@link dev.jgpt.api.Dequantize}). */
    public static float f16ToFloat(short half) {
        return dev.jgpt.api.Dequantize.halfToFloat(half);
    }

    /** float32 to IEEE half, rounding to nearest even; overflow gives infinity. */
    public static short floatToF16(float f) {
        return dev.jgpt.api.Quantize.floatToHalf(f);
    }
}
