package dev.jgpt.api;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A weight as it is stored: raw little-endian bytes of one {@link DType}, and a shape. Matrices are [out, in] (the
 * layout of PyTorch's {@code Linear}, llm.c and GGUF); vectors (biases, norms) are [C]. The bytes start at the
 * buffer's position and run for {@link DType#bytes} of the shape; the buffer may be a memory-mapped view of a file,
 * and its contents must not change while a model uses it.
 *
 * @param name  the tensor's name in its file, for messages
 * @param dtype how the bytes encode the elements
 * @param bytes the encoded elements, row-major
 * @param shape outermost dimension first; the last one is the row width that quantization blocks run along
 */
public record WeightData(String name, DType dtype, ByteBuffer bytes, int[] shape) {

    public WeightData {
        shape = shape.clone();
        if (shape.length == 0) {
            throw new IllegalArgumentException(name + ": a weight needs at least one dimension");
        }
        long need = dtype.bytes(Shapes.size(shape) / shape[shape.length - 1], shape[shape.length - 1]);
        if (bytes.remaining() != need) {
            throw new IllegalArgumentException(name + ": " + dtype + " " + Arrays.toString(shape) + " takes " + need
                    + " bytes, got " + bytes.remaining());
        }
        bytes = bytes.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A float32 weight holding a copy of {@code data}. */
    public static WeightData of(String name, float[] data, int... shape) {
        ByteBuffer b = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(data);
        return new WeightData(name, DType.F32, b, shape);
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** Number of elements. */
    public long size() {
        return Shapes.size(shape);
    }

    /** Size of dimension {@code axis}; negative counts from the end. */
    public int dim(int axis) {
        return shape[axis < 0 ? shape.length + axis : axis];
    }

    /** The elements widened (or dequantized) to float32, row-major: what the SPI's default computes on. */
    public float[] toFloats() {
        return Dequantize.toFloats(dtype, bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN), Shapes.intSize(shape));
    }

    @Override
    public boolean equals(Object o) {
        return this == o;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }

    @Override
    public String toString() {
        return name + " " + dtype + " " + Arrays.toString(shape);
    }
}
