package dev.jgpt.backend.nd4j;

import static dev.jgpt.backend.nd4j.Nd4jBackend.array;
import static dev.jgpt.backend.nd4j.Nd4jBackend.free;
import static dev.jgpt.backend.nd4j.Nd4jBackend.uninitialized;

import dev.jgpt.api.Shapes;
import dev.jgpt.api.Tensor;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The matrix product of {@link Nd4jBackend}, x by a weight stored [out, in]: one BLAS sgemm with the weight
 * transposed by the BLAS flag (no copy of it), or for a large product one single-threaded sgemm per block of output
 * columns run on {@link Nd4jThreads}.
 *
 * <p>A weight's row-major [M, K] buffer is, read as [K, M], column-major: the layout a decode step's gemv streams
 * fastest (each output one contiguous dot product, 1.3-1.6× faster than a row-major [K, M] with OpenBLAS at
 * [768, 3072]). So the layout the SPI hands over is kept as it is; the transposed flag and an explicit column-major
 * [K, M] copy measured the same. The same buffer serves {@link Nd4jBackend#gatherRows} (GPT-2's tied embedding).
 */
final class Nd4jMatmul {
    private Nd4jMatmul() {
    }

    /**
     * {@code out[n, m] = Σ_k x[n, k] · w[m, k]}: x [N, K] (any leading shape, seen as rows) by w [M, K], written into
     * a fresh result [N, M].
     */
    static Tensor product(Tensor x, Tensor w) {
        Shapes.requireMatmul("matmul", x, w);
        int m = w.dim(0);
        int k = w.dim(1);
        int rows = Shapes.rows(x.shape());
        int[] shape = Shapes.withLast(x.shape(), m);
        INDArray wa = array(w);
        INDArray xa = array(x);
        if (rows == 0 || m == 0) {
            return Nd4jBackend.empty(shape);
        }
        if (k == 0) { // empty sums
            return new Nd4jTensor(Nd4j.zeros(DataType.FLOAT, Arrays.stream(shape).asLongStream().toArray()), shape);
        }
        INDArray out = uninitialized(shape);
        INDArray x2 = xa.reshape(rows, k);
        INDArray o2 = out.reshape(rows, m);
        int parts = Nd4jThreads.parts((long) rows * k * m, m);
        if (parts <= 1) {
            Nd4j.matmul(x2, wa, o2, false, true, false);
            return new Nd4jTensor(out, shape);
        }
        // Split the output columns: each thread runs a one-thread BLAS call on a contiguous block of the weight's
        // rows, so all cores stream the weight with no OpenMP barrier. Blocks of 16 columns.
        int[] from = new int[parts + 1];
        for (int p = 0; p < parts; p++) {
            from[p] = (int) ((long) m * p / parts / 16 * 16);
        }
        from[parts] = m;
        INDArray[] weights = new INDArray[parts];
        INDArray[] blocks = new INDArray[parts];
        for (int p = 0; p < parts; p++) { // allocated on the caller: native memory is made and freed on one thread
            weights[p] = wa.get(NDArrayIndex.interval(from[p], from[p + 1]), NDArrayIndex.all());
            blocks[p] = uninitialized(rows, from[p + 1] - from[p]);
        }
        Nd4jThreads.run(parts, p -> Nd4j.matmul(x2, weights[p], blocks[p], false, true, false));
        for (int p = 0; p < parts; p++) {
            o2.get(NDArrayIndex.all(), NDArrayIndex.interval(from[p], from[p + 1])).assign(blocks[p]);
            free(blocks[p]);
        }
        return new Nd4jTensor(out, shape);
    }
}
