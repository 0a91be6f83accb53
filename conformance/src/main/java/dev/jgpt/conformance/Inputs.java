package dev.jgpt.conformance;

import dev.jgpt.api.DType;
import dev.jgpt.api.WeightData;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

/**
 * Seeded random inputs for the op-level checks: activations, ids, and weights of every {@link DType} built byte by
 * byte (random bit patterns in a sane range, so no encoder is involved), plus the ways a weight's bytes may be held
 * (heap, direct like a mapped file, read-only, at an offset).
 */
final class Inputs {
    private final SplittableRandom rnd;

    Inputs(long seed) {
        this.rnd = new SplittableRandom(seed);
    }

    /** Uniform in [lo, hi). */
    float[] uniform(int n, double lo, double hi) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = (float) (lo + (hi - lo) * rnd.nextDouble());
        }
        return f;
    }

    /** Normal(mean, std). */
    float[] normal(int n, double mean, double std) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = (float) (mean + std * gaussian());
        }
        return f;
    }

    /** Ids uniform in [0, bound). */
    int[] ids(int n, int bound) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = rnd.nextInt(bound);
        }
        return ids;
    }

    int nextInt(int bound) {
        return rnd.nextInt(bound);
    }

    double gaussian() {
        double u1 = 1.0 - rnd.nextDouble();
        double u2 = rnd.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    /** A seeded permutation of 0 … n−1 (Fisher–Yates). */
    int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    static int size(int... shape) {
        return Oracle.size(shape);
    }

    // ------------------------------------------------------------------------------------------------- weights

    /**
     * A random [rows, width] weight of {@code type}, magnitudes below 1: F32 uniform in (−1, 1); F16 and BF16 random
     * sign and mantissa with exponents for [1/16, 1), one element in 16 a subnormal or zero; Q8_0 and Q4_0 random
     * quants under a random f16 scale (of either sign, zero for one block in 16) sized so |d·q| &lt; 1.
     */
    WeightData weight(DType type, int rows, int width) {
        int n = rows * width;
        ByteBuffer b = ByteBuffer.allocate((int) type.bytes(rows, width)).order(ByteOrder.LITTLE_ENDIAN);
        switch (type) {
            case F32 -> {
                for (float f : uniform(n, -1, 1)) {
                    b.putFloat(f);
                }
            }
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    b.putShort(halfBits(11, 15));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    int e = rnd.nextInt(16) == 0 ? 0 : 123 + rnd.nextInt(4);
                    b.putShort((short) (rnd.nextInt(2) << 15 | e << 7 | rnd.nextInt(128)));
                }
            }
            case Q8_0 -> {
                for (int blk = 0; blk < n / 32; blk++) {
                    b.putShort(scaleBits(5, 8)); // d < 2^-7, |q| ≤ 128
                    for (int j = 0; j < 32; j++) {
                        b.put((byte) rnd.nextInt(256));
                    }
                }
            }
            case Q4_0 -> {
                for (int blk = 0; blk < n / 32; blk++) {
                    b.putShort(scaleBits(9, 12)); // d < 2^-3, |q − 8| ≤ 8
                    for (int j = 0; j < 16; j++) {
                        b.put((byte) rnd.nextInt(256));
                    }
                }
            }
            default -> throw new IllegalArgumentException("test bug: dtype " + type);
        }
        return new WeightData("random " + type, type, b.flip(), new int[] {rows, width});
    }

    /** f16 bits: random sign and mantissa, biased exponent in [lo, hi), one in 16 subnormal (exponent 0). */
    private short halfBits(int lo, int hi) {
        int e = rnd.nextInt(16) == 0 ? 0 : lo + rnd.nextInt(hi - lo);
        return (short) (rnd.nextInt(2) << 15 | e << 10 | rnd.nextInt(1024));
    }

    /** A block scale: like {@link #halfBits} but exactly zero for one block in 16. */
    private short scaleBits(int lo, int hi) {
        return rnd.nextInt(16) == 0 ? 0 : halfBits(lo, hi);
    }

    /** How a weight's bytes may be held. */
    enum Holding {
        HEAP, DIRECT_AT_OFFSET, READ_ONLY
    }

    /**
     * A copy of {@code w} whose bytes are held as {@code how}: a heap buffer, a direct buffer whose data starts at
     * position 7 of a larger allocation (like a tensor inside a mapped file), or a read-only view.
     */
    static WeightData held(WeightData w, Holding how) {
        ByteBuffer src = w.bytes().duplicate();
        ByteBuffer b;
        switch (how) {
            case DIRECT_AT_OFFSET -> {
                b = ByteBuffer.allocateDirect(src.remaining() + 11);
                b.position(7);
                b.put(src);
                b.position(7).limit(7 + w.bytes().remaining());
            }
            case READ_ONLY -> b = ByteBuffer.allocate(src.remaining()).put(src).flip().asReadOnlyBuffer();
            default -> b = ByteBuffer.allocate(src.remaining()).put(src).flip();
        }
        return new WeightData(w.name() + " (" + how + ")", w.dtype(), b, w.shape());
    }

    /** A copy of the weight's bytes (to prove a backend left them unchanged). */
    static byte[] bytesOf(WeightData w) {
        ByteBuffer b = w.bytes().duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    /** The weight decoded by the {@link Oracle}, as floats (exact). */
    static float[] decoded(WeightData w) {
        return Oracle.floats(Oracle.decode(w.dtype(), w.bytes(), (int) w.size()));
    }

    /** A hand-built weight: its bytes given as unsigned values, in file order. */
    static WeightData weight(String name, DType type, int[] unsignedBytes, int... shape) {
        ByteBuffer b = ByteBuffer.allocate(unsignedBytes.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int u : unsignedBytes) {
            b.put((byte) u);
        }
        return new WeightData(name, type, b.flip(), shape);
    }
}
