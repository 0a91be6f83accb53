package dev.jgpt.backend.plain;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jgpt.api.DType;
import dev.jgpt.api.Quantize;
import dev.jgpt.api.Tensor;
import dev.jgpt.api.WeightData;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The oracle's promise: every dtype decodes exactly to float32, and the packed loops sum in the float32 kernel's
 * order, so a packed weight gives the same bits as the float32 kernel on its dequantized values — for any number of
 * rows and threads. (Closeness to the float64 product is the conformance kit's check.)
 */
class PackedKernelsTest {

    @Test
    void everyDtypeIsBitIdenticalToFloat32OnItsDequantizedValues() {
        Random r = new Random(14);
        for (int threads : new int[] {1, 2}) {
            try (PlainBackend b = new PlainBackend(threads)) {
                for (DType type : new DType[] {DType.F16, DType.BF16, DType.Q8_0, DType.Q4_0}) {
                    for (int[] c : new int[][] {{1, 64, 7}, {5, 96, 33}, {17, 768, 20}, {3, 32, 1}}) {
                        int n = c[0];
                        int k = c[1];
                        int m = c[2];
                        float[] w = new float[m * k];
                        float[] x = new float[n * k];
                        float[] bias = new float[m];
                        for (int i = 0; i < w.length; i++) {
                            w[i] = (float) r.nextGaussian() * 0.2f;
                        }
                        for (int i = 0; i < x.length; i++) {
                            x[i] = (float) r.nextGaussian();
                        }
                        for (int i = 0; i < m; i++) {
                            bias[i] = (float) r.nextGaussian();
                        }
                        WeightData packed = Quantize.weight("w", type, w, m, k);
                        Tensor pw = b.weight(packed);
                        Tensor fw = b.fromArray(packed.toFloats(), m, k);
                        Tensor xt = b.fromArray(x, n, k);
                        Tensor bt = b.fromArray(bias, m);
                        float[] got = b.toArray(b.linear(xt, pw, bt));
                        float[] want = b.toArray(b.linear(xt, fw, bt));
                        for (int i = 0; i < got.length; i++) {
                            assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]),
                                    type + " " + n + "x" + k + "·" + m + "x" + k + " on " + threads
                                            + " threads, element " + i + ": " + got[i] + " vs " + want[i]);
                        }
                        float[] noBias = b.toArray(b.matmul(xt, pw));
                        float[] noBiasWant = b.toArray(b.matmul(xt, fw));
                        for (int i = 0; i < noBias.length; i++) {
                            assertEquals(Float.floatToRawIntBits(noBiasWant[i]), Float.floatToRawIntBits(noBias[i]),
                                    type + " matmul element " + i);
                        }
                    }
                }
            }
        }
    }
}
