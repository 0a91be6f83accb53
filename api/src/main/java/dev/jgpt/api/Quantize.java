package dev.jgpt.api;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Encoding of float32 values into every {@link DType}, the inverse of {@link Dequantize}, with ggml's rounding rules
 * exactly, so that a file jgpt writes holds the bytes llama.cpp's {@code llama-quantize} writes for the same values:
 * <ul>
 *   <li>F16 and BF16: round to nearest, ties to even (F16 overflows to infinity; NaN stays NaN);</li>
 *   <li>Q8_0 ({@code quantize_row_q8_0_ref}): per block of 32, d = max|x| / 127, q = round(x / d) (half away from
 *       zero; computed with 1/d in float32 before d is rounded to F16), d stored as F16;</li>
 *   <li>Q4_0 ({@code quantize_row_q4_0_ref}): per block, m = the element of largest magnitude (the first such),
 *       d = m / −8, q = min(15, trunc(x / d + 8.5)), d stored as F16; element j in the low nibble of byte j,
 *       element j + 16 in the high nibble.</li>
 * </ul>
 * An all-zero block gets d = 0 and every q at its zero point (0 for Q8_0, 8 for Q4_0).
 */
public final class Quantize {
    private Quantize() {
    }

    /** {@code src} encoded as {@code type}, little-endian; for the block types its length must be a multiple of 32. */
    public static byte[] toBytes(DType type, float[] src) {
        byte[] out = new byte[Math.toIntExact(type.bytes(1, src.length))];
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        switch (type) {
            case F32 -> b.asFloatBuffer().put(src);
            case F16 -> {
                for (float v : src) {
                    b.putShort(floatToHalf(v));
                }
            }
            case BF16 -> {
                for (float v : src) {
                    b.putShort(floatToBf16(v));
                }
            }
            case Q8_0 -> {
                for (int blk = 0; blk < src.length / 32; blk++) {
                    q8Block(src, blk * 32, b, blk * 34);
                }
            }
            case Q4_0 -> {
                for (int blk = 0; blk < src.length / 32; blk++) {
                    q4Block(src, blk * 32, b, blk * 18);
                }
            }
            default -> throw new IllegalArgumentException("unknown dtype " + type);
        }
        return out;
    }

    /** A weight of {@code type} holding {@code data} encoded (the shape's last dimension is the row width). */
    public static WeightData weight(String name, DType type, float[] data, int... shape) {
        return new WeightData(name, type, ByteBuffer.wrap(toBytes(type, data)), shape);
    }

    private static void q8Block(float[] x, int o, ByteBuffer out, int at) {
        float amax = 0f;
        for (int j = 0; j < 32; j++) {
            amax = Math.max(amax, Math.abs(x[o + j]));
        }
        float d = amax / 127;
        float id = d != 0f ? 1f / d : 0f;
        out.putShort(at, floatToHalf(d));
        for (int j = 0; j < 32; j++) {
            out.put(at + 2 + j, (byte) roundHalfAway(x[o + j] * id));
        }
    }

    private static void q4Block(float[] x, int o, ByteBuffer out, int at) {
        float amax = 0f;
        float max = 0f;
        for (int j = 0; j < 32; j++) {
            float v = x[o + j];
            if (amax < Math.abs(v)) {
                amax = Math.abs(v);
                max = v;
            }
        }
        float d = max / -8;
        float id = d != 0f ? 1f / d : 0f;
        out.putShort(at, floatToHalf(d));
        for (int j = 0; j < 16; j++) {
            int lo = Math.min(15, (int) (x[o + j] * id + 8.5f));
            int hi = Math.min(15, (int) (x[o + 16 + j] * id + 8.5f));
            out.put(at + 2 + j, (byte) (lo | hi << 4));
        }
    }

    /** C's {@code roundf}: to the nearest integer, halves away from zero. */
    static int roundHalfAway(float v) {
        return (int) (v < 0 ? -Math.floor(-v + 0.5) : Math.floor(v + 0.5));
    }

    /** float32 to IEEE half, rounding to nearest even; overflow gives infinity, NaN stays NaN. */
    public static short floatToHalf(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        float abs = Math.abs(f);
        if (Float.isNaN(f)) {
            return (short) (sign | 0x7e00);
        }
        if (abs >= 65520f) {
            return (short) (sign | 0x7c00);
        }
        if (abs < 0x1p-14f) { // subnormal half: abs / 2^-24 rounded to an integer, ties to even
            return (short) (sign | (int) Math.rint(abs * 0x1p24f));
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

    /** float32 to bfloat16 (its top 16 bits), rounding to nearest even; NaN stays NaN. */
    public static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }
}
