package dev.jgpt.api;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Decoding of every {@link DType} to float32, the shortest readable loops: the SPI's default for a backend that does
 * not compute on a type, and the oracle compact kernels are tested against.
 */
public final class Dequantize {
    private Dequantize() {
    }

    /** {@code n} elements of {@code type} from {@code src} (little-endian, from its position), as float32. */
    public static float[] toFloats(DType type, ByteBuffer src, int n) {
        ByteBuffer b = src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[n];
        int p = b.position();
        switch (type) {
            case F32 -> b.asFloatBuffer().get(out);
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = halfToFloat(b.getShort(p + 2 * i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Float.intBitsToFloat((b.getShort(p + 2 * i) & 0xffff) << 16);
                }
            }
            case Q8_0 -> {
                for (int blk = 0; blk < n / 32; blk++) {
                    int o = p + blk * 34;
                    float d = halfToFloat(b.getShort(o));
                    for (int j = 0; j < 32; j++) {
                        out[blk * 32 + j] = d * b.get(o + 2 + j);
                    }
                }
            }
            case Q4_0 -> {
                for (int blk = 0; blk < n / 32; blk++) {
                    int o = p + blk * 18;
                    float d = halfToFloat(b.getShort(o));
                    for (int j = 0; j < 16; j++) {
                        int q = b.get(o + 2 + j) & 0xff;
                        out[blk * 32 + j] = d * ((q & 0x0f) - 8);
                        out[blk * 32 + j + 16] = d * ((q >>> 4) - 8);
                    }
                }
            }
            default -> throw new IllegalArgumentException("unknown dtype " + type);
        }
        return out;
    }

    /** IEEE 754 binary16 (as its 16 bits) to float32, exactly (subnormals, infinities and NaN included). */
    public static float halfToFloat(short bits) {
        int h = bits & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign);
            }
            float v = mant * 0x1p-24f; // subnormal: mant · 2^-24
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }
}
