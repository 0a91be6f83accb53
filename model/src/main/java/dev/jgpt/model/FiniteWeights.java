package dev.jgpt.model;

import dev.jgpt.api.Dequantize;
import dev.jgpt.api.WeightData;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Refuses a weight that holds NaN or ±∞, in any dtype, by its bits: an F32 or F16 or BF16 element with an all-ones
 * exponent, a Q8_0 or Q4_0 block whose F16 scale has one (a block's quants are small integers, always finite).
 */
final class FiniteWeights {
    private FiniteWeights() {
    }

    /**
     * @throws ModelLoadException naming {@code file}, the tensor and the first non-finite element (or block scale)
     */
    static void require(Path file, WeightData w) {
        ByteBuffer b = w.bytes();
        long n = w.size();
        switch (w.dtype()) {
            case F32 -> {
                for (int i = 0; i < n; i++) {
                    if ((b.getInt(4 * i) & 0x7f800000) == 0x7f800000) {
                        throw notFinite(file, w, b.getFloat(4 * i) + " at flat index " + i);
                    }
                }
            }
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    if ((b.getShort(2 * i) & 0x7c00) == 0x7c00) {
                        throw notFinite(file, w, Dequantize.halfToFloat(b.getShort(2 * i)) + " at flat index " + i);
                    }
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    if ((b.getShort(2 * i) & 0x7f80) == 0x7f80) {
                        throw notFinite(file, w, Float.intBitsToFloat(b.getShort(2 * i) << 16) + " at flat index "
                                + i);
                    }
                }
            }
            case Q8_0, Q4_0 -> {
                int blockBytes = w.dtype().blockBytes();
                for (long k = 0; k < n / 32; k++) {
                    short d = b.getShort((int) (k * blockBytes));
                    if ((d & 0x7c00) == 0x7c00) {
                        throw notFinite(file, w, "a block scale of " + Dequantize.halfToFloat(d) + " (block " + k
                                + ", elements from flat index " + k * 32 + ")");
                    }
                }
            }
            default -> throw new IllegalArgumentException("unknown dtype " + w.dtype());
        }
    }

    private static ModelLoadException notFinite(Path file, WeightData w, String what) {
        return new ModelLoadException(file + ": tensor '" + w.name() + "' holds " + what
                + "; weights must be finite numbers");
    }
}
