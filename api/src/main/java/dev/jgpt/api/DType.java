package dev.jgpt.api;

/**
 * How a weight's elements are stored. F32/F16/BF16 are one value per element; Q8_0 and Q4_0 are ggml's block
 * quantizations: blocks of {@link #blockSize()} consecutive elements along a row (the input dimension of an
 * [out, in] weight), each block one f16 scale d followed by its quants.
 *
 * <ul>
 *   <li>{@code Q8_0}: 2 + 32 bytes per block; element j = d · q[j], q signed int8.</li>
 *   <li>{@code Q4_0}: 2 + 16 bytes per block; byte i holds element i in its low nibble and element i + 16 in its high
 *       nibble; element = d · (q − 8), q in [0, 15].</li>
 * </ul>
 * All multi-byte values are little-endian (safetensors and GGUF).
 */
public enum DType {
    F32(1, 4),
    F16(1, 2),
    BF16(1, 2),
    Q8_0(32, 34),
    Q4_0(32, 18);

    private final int blockSize;
    private final int blockBytes;

    DType(int blockSize, int blockBytes) {
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
    }

    /** Elements per block: 1 for the float types, 32 for the quantized ones. */
    public int blockSize() {
        return blockSize;
    }

    /** Bytes per block. */
    public int blockBytes() {
        return blockBytes;
    }

    /** Whether this is a block-quantized type (a row's width must then be a multiple of {@link #blockSize()}). */
    public boolean quantized() {
        return blockSize > 1;
    }

    /**
     * Bytes that {@code rows} rows of {@code width} elements take.
     *
     * @throws IllegalArgumentException if {@code width} is not a multiple of the block size
     */
    public long bytes(long rows, long width) {
        if (width % blockSize != 0) {
            throw new IllegalArgumentException(name() + " needs rows of a multiple of " + blockSize
                    + " elements, got " + width);
        }
        return rows * (width / blockSize) * blockBytes;
    }
}
