package dev.jgpt.model.io;

import dev.jgpt.api.DType;
import java.util.Arrays;

/**
 * One tensor's entry in a GGUF file, validated: its dims as the file gives them (innermost first, each in
 * 1..{@link Integer#MAX_VALUE}), its type, and where its bytes lie.
 *
 * @param name   the tensor's name
 * @param ne     the dims, innermost (the row, along which quantization blocks run) first
 * @param dtype  how its bytes encode the elements
 * @param offset where its bytes start, from the start of the data section (a multiple of the alignment)
 * @param bytes  how many bytes it takes
 */
public record GgufTensorInfo(String name, int[] ne, DType dtype, long offset, long bytes) {

    public GgufTensorInfo {
        ne = ne.clone();
    }

    @Override
    public int[] ne() {
        return ne.clone();
    }

    /**
     * jgpt's shape: outermost first, the dims reversed. A matrix with {@code ne = [in, out]} is the row-major
     * [out, in] matrix of a linear layer, as it is; no transpose.
     */
    public int[] shape() {
        int[] s = new int[ne.length];
        for (int i = 0; i < ne.length; i++) {
            s[i] = ne[ne.length - 1 - i];
        }
        return s;
    }

    @Override
    public String toString() {
        return name + " " + dtype + " ne=" + Arrays.toString(ne);
    }
}
