package dev.jgpt.backend.nd4j;

import static dev.jgpt.backend.nd4j.Nd4jTestData.assertClose;
import static dev.jgpt.backend.nd4j.Nd4jTestData.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jgpt.api.DType;
import dev.jgpt.api.Tensor;
import dev.jgpt.api.WeightData;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The BLAS path of matmul: products large enough to be split by output columns across threads (decode and prefill
 * shapes, widths that are no multiple of 16), weights kept in their [out, in] layout and uploaded from the bytes,
 * and weights shared by threads. The reference is an inline float64 loop.
 */
class Nd4jMatmulTest {
    private static final Nd4jBackend ND = new Nd4jBackend();

    /**
     * Float32 sums of up to 1000 products of [-1, 1] terms: rounding grows like √K·2⁻²⁴·|partial sums| ≈ 5e-5 at
     * worst here, so 1e-4 absolute + 1e-4 relative.
     */
    private static final double TOL = 1e-4;

    /** {@code out[n, m] = Σ_k x[n, k] · w[m, k]} in float64. */
    private static double[] product(float[] x, float[] w, int rows, int k, int m) {
        double[] out = new double[rows * m];
        for (int n = 0; n < rows; n++) {
            for (int j = 0; j < m; j++) {
                double s = 0;
                for (int i = 0; i < k; i++) {
                    s += (double) x[n * k + i] * w[j * k + i];
                }
                out[n * m + j] = s;
            }
        }
        return out;
    }

    @ParameterizedTest(name = "x [{0}, {1}] by w [{2}, {1}]")
    @CsvSource({"1, 768, 2304", "3, 1000, 1100", "40, 512, 2051", "2, 64, 600", "1, 768, 5025"})
    void largeProductsMatchTheDoubleProduct(int rows, int k, int m) {
        Random r = new Random(rows * 31L + k * 7L + m);
        float[] x = uniform(r, rows * k, -1, 1);
        float[] w = uniform(r, m * k, -1, 1);
        Tensor xt = ND.fromArray(x, rows, k);
        Tensor wt = ND.weight(WeightData.of("w", w, m, k));
        String what = "matmul " + Arrays.toString(new int[] {rows, k, m}) + " in "
                + Nd4jThreads.parts((long) rows * k * m, m) + " parts";
        for (int twice = 0; twice < 2; twice++) { // the weight is used in place: the same result again
            Tensor y = ND.matmul(xt, wt);
            assertArrayEquals(new int[] {rows, m}, y.shape());
            assertClose(what, product(x, w, rows, k, m), ND.toArray(y), TOL, TOL);
            ND.release(y);
        }
        assertArrayEquals(w, ND.toArray(wt), "the weight keeps its [out, in] contents");
        ND.release(xt);
        ND.release(wt);
    }

    /**
     * One weight tensor serves matmul and gatherRows (GPT-2 ties the lm head to the token embedding [V, C]), so it
     * is row-major [out, in]; and an F32 weight is read from its bytes at the buffer's position (a memory-mapped
     * file's view at an offset) without moving that position.
     */
    @Test
    void aWeightFromMappedBytesIsRowMajorForGatherRowsAndMatmul() {
        int v = 600;
        int c = 24;
        Random r = new Random(5);
        float[] table = uniform(r, v * c, -1, 1);
        ByteBuffer file = ByteBuffer.allocateDirect(16 + 4 * table.length).order(ByteOrder.LITTLE_ENDIAN);
        file.position(16);
        file.asFloatBuffer().put(table);
        ByteBuffer view = file.position(16).slice();
        WeightData data = new WeightData("wte", DType.F32, view, new int[] {v, c});
        Tensor wte = ND.weight(data);
        assertEquals(0, view.position(), "the weight's buffer is not moved");
        assertArrayEquals(table, ND.toArray(wte));

        int[] ids = {599, 0, 17, 17};
        float[] rows = ND.toArray(ND.gatherRows(wte, ids));
        for (int i = 0; i < ids.length; i++) {
            assertArrayEquals(Arrays.copyOfRange(table, ids[i] * c, ids[i] * c + c),
                    Arrays.copyOfRange(rows, i * c, i * c + c), "row " + ids[i]);
        }
        float[] x = uniform(r, 2 * c, -1, 1);
        assertClose("logits", product(x, table, 2, c, v), ND.toArray(ND.matmul(ND.fromArray(x, 2, c), wte)),
                1e-5, 1e-5);
    }

    /** A weight of another dtype is widened when it is loaded: exactly {@link WeightData#toFloats()}. */
    @Test
    void aHalfPrecisionWeightIsWidenedOnLoad() {
        int m = 3;
        int k = 5;
        ByteBuffer bytes = ByteBuffer.allocate(2 * m * k).order(ByteOrder.LITTLE_ENDIAN);
        Random r = new Random(6);
        for (int i = 0; i < m * k; i++) { // sign, a finite exponent, a mantissa
            bytes.putShort((short) (r.nextInt(2) << 15 | (1 + r.nextInt(29)) << 10 | r.nextInt(1024)));
        }
        WeightData data = new WeightData("w", DType.F16, bytes.flip(), new int[] {m, k});
        Tensor w = ND.weight(data);
        assertArrayEquals(new int[] {m, k}, w.shape());
        assertArrayEquals(data.toFloats(), ND.toArray(w));
    }

    /** Eight threads share a weight and a bias and run linear at once, split products included; all are right. */
    @Test
    void threadsSharingWeightsGetCorrectProducts() throws Exception {
        Random r = new Random(4);
        int k = 256;
        int m = 2304;
        float[] w = uniform(r, m * k, -0.5, 0.5);
        float[] bias = uniform(r, m, -0.5, 0.5);
        Tensor wt = ND.weight(WeightData.of("w", w, m, k));
        Tensor bt = ND.weight(WeightData.of("b", bias, m));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> jobs = new ArrayList<>();
            for (int job = 0; job < 32; job++) {
                int rows = 1 + job % 5;
                float[] x = uniform(new Random(100 + job), rows * k, -1, 1);
                jobs.add(pool.submit(() -> {
                    Tensor y = ND.linear(ND.fromArray(x, rows, k), wt, bt);
                    double[] expected = product(x, w, rows, k, m);
                    for (int i = 0; i < expected.length; i++) {
                        expected[i] += bias[i % m];
                    }
                    assertClose("linear of " + rows + " rows in a thread", expected, ND.toArray(y), TOL, TOL);
                    ND.release(y);
                    return null;
                }));
            }
            for (Future<?> f : jobs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
