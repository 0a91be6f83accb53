package dev.jgpt.backend.plain;

import dev.jgpt.api.Dequantize;
import dev.jgpt.backend.array.PackedTensor;

/**
 * The matmul of {@link PlainBackend} over packed weights: one short loop per dtype, decoding each weight where it is
 * used — the readable oracle of every compact kernel. Each output element is one float sum over i in increasing
 * order of x[r, i]·w[j, i], with w[j, i] decoded exactly (F16, BF16, d·q and d·(q − 8) are all exact in float32), so
 * a packed weight gives the same bits as the float32 kernel of {@link Kernels} on the dequantized weight.
 */
final class PackedKernels {
    private PackedKernels() {
    }

    /** out[r, j] = bias[j] + Σ_i a[r, i]·w[j, i] for rows [r0, r1) and columns [j0, j1). */
    static void matmul(float[] a, PackedTensor w, float[] bias, float[] out, int k, int m, int r0, int r1, int j0,
            int j1) {
        for (int j = j0; j < j1; j++) {
            int wo = j * w.rowBytes;
            for (int r = r0; r < r1; r++) {
                float s = switch (w.dtype) {
                    case F16 -> dotF16(a, r * k, w.bytes, wo, k);
                    case BF16 -> dotBf16(a, r * k, w.bytes, wo, k);
                    case Q8_0 -> dotQ8(a, r * k, w.bytes, wo, k);
                    case Q4_0 -> dotQ4(a, r * k, w.bytes, wo, k);
                    default -> throw new IllegalArgumentException("not a packed dtype: " + w.dtype);
                };
                out[r * m + j] = bias == null ? s : s + bias[j];
            }
        }
    }

    /** The 16-bit little-endian value at b[o]. */
    private static short u16(byte[] b, int o) {
        return (short) ((b[o] & 0xff) | b[o + 1] << 8);
    }

    static float dotF16(float[] x, int xo, byte[] w, int wo, int k) {
        float s = 0f;
        for (int i = 0; i < k; i++) {
            s += x[xo + i] * Dequantize.halfToFloat(u16(w, wo + 2 * i));
        }
        return s;
    }

    static float dotBf16(float[] x, int xo, byte[] w, int wo, int k) {
        float s = 0f;
        for (int i = 0; i < k; i++) {
            s += x[xo + i] * Float.intBitsToFloat((u16(w, wo + 2 * i) & 0xffff) << 16);
        }
        return s;
    }

    /** Q8_0: per block of 32, an f16 scale d, then 32 signed bytes q; w = d·q. */
    static float dotQ8(float[] x, int xo, byte[] w, int wo, int k) {
        float s = 0f;
        for (int blk = 0; blk < k / 32; blk++) {
            int o = wo + blk * 34;
            float d = Dequantize.halfToFloat(u16(w, o));
            for (int j = 0; j < 32; j++) {
                s += x[xo + blk * 32 + j] * (d * w[o + 2 + j]);
            }
        }
        return s;
    }

    /** Q4_0: per block of 32, an f16 scale d, then 16 bytes: element j low nibble of byte j, j + 16 the high one. */
    static float dotQ4(float[] x, int xo, byte[] w, int wo, int k) {
        float s = 0f;
        for (int blk = 0; blk < k / 32; blk++) {
            int o = wo + blk * 18;
            float d = Dequantize.halfToFloat(u16(w, o));
            for (int j = 0; j < 32; j++) {
                int q = j < 16 ? w[o + 2 + j] & 0x0f : (w[o + 2 + j - 16] & 0xff) >>> 4;
                s += x[xo + blk * 32 + j] * (d * (q - 8));
            }
        }
        return s;
    }
}
