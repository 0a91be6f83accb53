package dev.jgpt.backend.nd4j;

import static dev.jgpt.backend.nd4j.Nd4jBackend.array;
import static dev.jgpt.backend.nd4j.Nd4jBackend.free;
import static dev.jgpt.backend.nd4j.Nd4jBackend.uninitialized;

import dev.jgpt.api.Shapes;
import dev.jgpt.api.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The matrix products of {@link Nd4jBackend}: one BLAS sgemm, or for a large product one single-threaded sgemm per
 * block of output columns run on {@link Nd4jThreads}, and the column-major copy of a weight that a decode step's
 * gemv streams fastest.
 */
final class Nd4jMatmul {
    private Nd4jMatmul() {
    }

    /**
     * x as [rows, K] by w ([K, N], or [N, K] when {@code transposed}, used in place without a copy), written into
     * a fresh result [..., N].
     */
    static Tensor product(String what, Tensor x, Tensor w, int k, int n, boolean transposed) {
        Shapes.requireMatmul(what, x, w, transposed);
        int rows = Shapes.rows(x.shape());
        int[] shape = Shapes.withLast(x.shape(), n);
        INDArray out = uninitialized(shape);
        INDArray wa = transposed ? array(w) : columnMajor((Nd4jTensor) w);
        INDArray x2 = array(x).reshape(rows, k);
        INDArray o2 = out.reshape(rows, n);
        int parts = Nd4jThreads.parts((long) rows * k * n, n);
        if (parts <= 1) {
            Nd4j.matmul(x2, wa, o2, false, transposed, false);
            return new Nd4jTensor(out, shape);
        }
        // Split the output columns: each thread runs a one-thread BLAS call on a contiguous block of the weight
        // (rows of a transposed or column-major weight), so all cores stream the weights with no OpenMP barrier.
        INDArray[] blocks = new INDArray[parts];
        int[] from = new int[parts + 1];
        for (int p = 0; p <= parts; p++) {
            from[p] = (int) ((long) n * p / parts / 16 * 16);
        }
        from[parts] = n;
        INDArray[] weights = new INDArray[parts];
        for (int p = 0; p < parts; p++) { // allocated on the caller: native memory is made and freed on one thread
            weights[p] = transposed ? wa.get(NDArrayIndex.interval(from[p], from[p + 1]), NDArrayIndex.all())
                    : wa.get(NDArrayIndex.all(), NDArrayIndex.interval(from[p], from[p + 1]));
            blocks[p] = uninitialized(rows, from[p + 1] - from[p]);
        }
        Nd4jThreads.run(parts, p -> Nd4j.matmul(x2, weights[p], blocks[p], false, transposed, false));
        for (int p = 0; p < parts; p++) {
            o2.get(NDArrayIndex.all(), NDArrayIndex.interval(from[p], from[p + 1])).assign(blocks[p]);
            free(blocks[p]);
        }
        return new Nd4jTensor(out, shape);
    }

    /**
     * The weight [K, N] in column-major order, converted on first use and kept. A decode step multiplies one row
     * by each weight (BLAS gemv), which streams the weight once: with the weight column-major each output is one
     * contiguous dot product, and gemv ran 1.3-1.6× faster than over the row-major layout (measured with OpenBLAS
     * at [768, 3072]); gemm for a prefill is as fast either way. The row-major copy is left to the garbage
     * collector (another thread may still be reading it).
     */
    private static INDArray columnMajor(Nd4jTensor w) {
        INDArray a = w.array;
        if (a.ordering() == 'f' || a.wasClosed()) {
            return array(w);
        }
        synchronized (w) {
            if (w.array.ordering() != 'f') {
                w.array = w.array.dup('f');
            }
            return w.array;
        }
    }
}
