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
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    /** IEEE 754 half precision to float32 (exact), as the SPI decodes it ({@link dev.jgpt.api.Dequantize}). */
    public static float f16ToFloat(short half) {
        return dev.jgpt.api.Dequantize.halfToFloat(half);
    }

    /** float32 to IEEE half, rounding to nearest even; overflow gives infinity. */
    public static short floatToF16(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        float abs = Math.abs(f);
        if (Float.isNaN(f)) {
            return (short) (sign | 0x7e00);
        }
        if (abs >= 65520f) {
            return (short) (sign | 0x7c00);
        }
        if (abs < 0x1p-14f) { // subnormal half: round abs / 2^-24 to an integer
            return (short) (sign | Math.round(Math.rint(abs * 0x1p24f)));
        }
        int e = ((bits >>> 23) & 0xff) - 127 + 15;
        int mant = bits & 0x7fffff;
        int half = (e << 10) | (mant >>> 13);
        int rest = mant & 0x1fff;
        if (rest > 0x1000 || (rest == 0x1000 && (half & 1) == 1)) {
            half++;
        }
        return (short) (sign | half);
    }
}
