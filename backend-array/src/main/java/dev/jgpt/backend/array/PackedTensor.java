package dev.jgpt.backend.array;

import dev.jgpt.api.DType;
import dev.jgpt.api.Dequantize;
import dev.jgpt.api.Tensor;
import dev.jgpt.api.WeightData;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A weight kept in its stored {@link DType} (anything but F32): its little-endian bytes copied once onto the heap, in
 * the weight's own layout — row-major [out, in] (or a table [R, C]), F16/BF16 two bytes per element, Q8_0 and Q4_0
 * ggml's blocks of 32 along each row ({@link DType}). Row r starts at byte {@code r · rowBytes}. Never mutated. The
 * weight tensor of {@link ArrayBackend} for the dtypes a backend declares in {@code weightTypes()}; kernels read
 * {@link #bytes} directly, and {@link #row} gives one row dequantized (table lookups, the oracle's tests).
 */
public final class PackedTensor implements RowDecoder {
    /** How {@link #bytes} encode the elements. */
    public final DType dtype;
    /** The encoded elements (read only). */
    public final byte[] bytes;
    /** Bytes per row (the last dimension encoded). */
    public final int rowBytes;
    private final int[] shape;

    private PackedTensor(DType dtype, byte[] bytes, int rowBytes, int[] shape) {
        this.dtype = dtype;
        this.bytes = bytes;
        this.rowBytes = rowBytes;
        this.shape = shape;
    }

    /** The weight's bytes, copied once. */
    public static PackedTensor of(WeightData w) {
        if (w.dtype() == DType.F32) {
            throw new IllegalArgumentException(w + ": F32 weights are float[] tensors, not packed ones");
        }
        ByteBuffer src = w.bytes().duplicate();
        byte[] b = new byte[src.remaining()];
        src.get(b);
        int width = w.dim(-1);
        return new PackedTensor(w.dtype(), b, Math.toIntExact(w.dtype().bytes(1, width)), w.shape());
    }

    /** The packed tensor behind {@code t}, or null when it is of another kind. */
    public static PackedTensor orNull(Tensor t) {
        return t instanceof PackedTensor p ? p : null;
    }

    /** Row r dequantized into {@code out[o, o + width)} ({@link Dequantize}'s exact decoding). */
    @Override
    public void row(int r, float[] out, int o) {
        int width = shape[shape.length - 1];
        ByteBuffer b = ByteBuffer.wrap(bytes, r * rowBytes, rowBytes).slice().order(ByteOrder.LITTLE_ENDIAN);
        System.arraycopy(Dequantize.toFloats(dtype, b, width), 0, out, o, width);
    }

    @Override
    public int[] shape() {
        return shape;
    }

    @Override
    public String toString() {
        return "PackedTensor" + dtype + Arrays.toString(shape);
    }
}
