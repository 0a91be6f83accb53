package dev.jgpt.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Quantize's encodings against blocks worked out by hand from ggml's rules (the values in the comments), and the
 * round trip through Dequantize: exact for values a type holds, within half a step otherwise.
 */
class QuantizeTest {

    private static int u16(byte[] b, int o) {
        return (b[o] & 0xff) | (b[o + 1] & 0xff) << 8;
    }

    private static float[] block(float first, float... rest) {
        float[] x = new float[32];
        x[0] = first;
        System.arraycopy(rest, 0, x, 1, rest.length);
        return x;
    }

    private static float[] roundTrip(DType type, float[] x) {
        return Dequantize.toFloats(type, ByteBuffer.wrap(Quantize.toBytes(type, x)), x.length);
    }

    @Test
    void q8AllZeroBlockIsScaleZeroAndZeroQuants() {
        byte[] b = Quantize.toBytes(DType.Q8_0, new float[32]);
        assertArrayEquals(new byte[34], b, "d = 0 (f16 0x0000), every q 0");
    }

    @Test
    void q8PlusMinusMaxGetScaleOneAndQuantsRoundedHalfAwayFromZero() {
        // max |x| = 127 → d = 1 (f16 0x3C00); q = roundf(x): 2.5 → 3, −2.5 → −3, 0.4 → 0, −0.6 → −1
        float[] x = block(127f, -127f, 2.5f, -2.5f, 0.4f, -0.6f);
        byte[] b = Quantize.toBytes(DType.Q8_0, x);
        assertEquals(0x3C00, u16(b, 0));
        assertArrayEquals(new byte[] {127, -127, 3, -3, 0, -1, 0}, Arrays.copyOfRange(b, 2, 9));
        assertArrayEquals(new float[] {127, -127, 3, -3, 0, -1, 0}, Arrays.copyOf(roundTrip(DType.Q8_0, x), 7));
    }

    @Test
    void q8OneHugeValueSwallowsTheSmallOnes() {
        // d = 1000/127 = 7.874…, stored as f16 7.875 (0x47E0); q[0] = roundf(1000·127/1000) = 127, the ones round
        // to roundf(0.127) = 0; back: 127·7.875 = 1000.125 and zeros
        float[] x = block(1000f, 1f, 1f, 1f);
        byte[] b = Quantize.toBytes(DType.Q8_0, x);
        assertEquals(0x47E0, u16(b, 0));
        assertEquals(127, b[2]);
        assertEquals(0, b[3]);
        float[] back = roundTrip(DType.Q8_0, x);
        assertEquals(1000.125f, back[0]);
        assertEquals(0f, back[1]);
    }

    @Test
    void q4AllZeroBlockIsScaleZeroAndQuantsAtTheZeroPoint() {
        byte[] b = Quantize.toBytes(DType.Q4_0, new float[32]);
        assertEquals(0x8000, u16(b, 0), "d = 0 / −8 = −0 in float32, as in ggml, so f16 −0");
        for (int i = 2; i < 18; i++) {
            assertEquals((byte) 0x88, b[i], "q = trunc(0 + 8.5) = 8 in both nibbles of byte " + i);
        }
    }

    @Test
    void q4NegativeMaxGetsScaleOneAndNibblesInGgmlOrder() {
        // the largest magnitude is −8 → d = −8/−8 = 1 (0x3C00); q = min(15, trunc(x + 8.5)):
        // −8 → 0, 4 → 12, 7.9 → 15 (16 clamped), 0 → 8; element 16 (2.2 → 10) shares byte 0 with element 0
        float[] x = block(-8f, 4f, 7.9f);
        x[16] = 2.2f;
        byte[] b = Quantize.toBytes(DType.Q4_0, x);
        assertEquals(0x3C00, u16(b, 0));
        assertEquals(0x00 | 10 << 4, b[2] & 0xff);
        assertEquals(12 | 8 << 4, b[3] & 0xff);
        assertEquals(15 | 8 << 4, b[4] & 0xff);
        float[] back = roundTrip(DType.Q4_0, x);
        assertArrayEquals(new float[] {-8, 4, 7, 0}, Arrays.copyOf(back, 4));
        assertEquals(2f, back[16]);
    }

    @Test
    void q4PositiveMaxGetsANegativeScaleAndLosesTheOppositeExtreme() {
        // max 8 → d = −1 (0xBC00), id = −1: 8 → trunc(0.5) = 0 → (0 − 8)·(−1) = 8; −8 → 16 → 15 → −7
        byte[] b = Quantize.toBytes(DType.Q4_0, block(8f, -8f));
        assertEquals(0xBC00, u16(b, 0));
        float[] back = roundTrip(DType.Q4_0, block(8f, -8f));
        assertEquals(8f, back[0]);
        assertEquals(-7f, back[1]);
    }

    @Test
    void halfRoundsToNearestEven() {
        assertEquals(0x3C00, Quantize.floatToHalf(1f) & 0xffff);
        assertEquals(0x3C00, Quantize.floatToHalf(1f + 0x1p-11f) & 0xffff, "a tie goes to the even 1.0");
        assertEquals(0x3C02, Quantize.floatToHalf(1f + 3 * 0x1p-11f) & 0xffff, "a tie goes to the even 1 + 2^-9");
        assertEquals(0x3555, Quantize.floatToHalf(1f / 3) & 0xffff);
        assertEquals(0x7BFF, Quantize.floatToHalf(65519f) & 0xffff, "65519 rounds to the largest half, 65504");
        assertEquals(0x7C00, Quantize.floatToHalf(65520f) & 0xffff, "65520 ties up to infinity");
        assertEquals(0x0001, Quantize.floatToHalf(6e-8f) & 0xffff, "the smallest subnormal, 2^-24");
        assertEquals(0x0000, Quantize.floatToHalf(1e-8f) & 0xffff);
        assertEquals(0x8000, Quantize.floatToHalf(-0f) & 0xffff);
    }

    @Test
    void bf16RoundsToNearestEven() {
        assertEquals(0x3F80, Quantize.floatToBf16(1f + 0x1p-8f) & 0xffff, "a tie goes to the even 1.0");
        assertEquals(0x3F82, Quantize.floatToBf16(1f + 3 * 0x1p-8f) & 0xffff);
        assertEquals(0xBF80, Quantize.floatToBf16(-1f) & 0xffff);
    }

    /** Random values: F16/BF16/Q8_0 back within half a step of their grid; values on the grid come back exactly. */
    @Test
    void roundTripsStayWithinHalfAStep() {
        Random r = new Random(14);
        float[] x = new float[32 * 64];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextGaussian() * (i % 7 == 0 ? 10 : 0.1));
        }
        float[] h = roundTrip(DType.F16, x);
        float[] bf = roundTrip(DType.BF16, x);
        for (int i = 0; i < x.length; i++) {
            assertEquals(x[i], h[i], Math.abs(x[i]) * 0x1p-11 + 0x1p-25, "f16 element " + i);
            assertEquals(x[i], bf[i], Math.abs(x[i]) * 0x1p-8, "bf16 element " + i);
        }
        float[] q8 = roundTrip(DType.Q8_0, x);
        for (int blk = 0; blk < 64; blk++) {
            float amax = 0;
            for (int j = 0; j < 32; j++) {
                amax = Math.max(amax, Math.abs(x[blk * 32 + j]));
            }
            double step = amax / 127.0;
            for (int j = 0; j < 32; j++) { // half a step, plus the f16 rounding of d times |q| ≤ 127
                assertEquals(x[blk * 32 + j], q8[blk * 32 + j], step / 2 + 127 * step * 0x1p-11 + 1e-9);
            }
        }
        assertArrayEquals(q8, roundTrip(DType.Q8_0, q8), "Q8_0 values come back as themselves");
        assertArrayEquals(h, roundTrip(DType.F16, h));
        assertArrayEquals(bf, roundTrip(DType.BF16, bf));
    }
}
