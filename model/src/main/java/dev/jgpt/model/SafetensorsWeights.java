package dev.jgpt.model;

import dev.jgpt.api.DType;
import dev.jgpt.api.WeightData;
import dev.jgpt.model.io.SafetensorsFile;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The weights of a Hugging Face GPT-2 {@code model.safetensors}: names with or without the {@code transformer.}
 * prefix, F32, F16 or BF16 handed over as stored (copied from the mapping onto the heap once), except that GPT-2's
 * four Conv1D weights, stored [in, out], are transposed to [out, in] in that one copy, element by element of their own
 * width (as nanoGPT's {@code from_pretrained} does).
 */
final class SafetensorsWeights implements WeightSource {
    private final SafetensorsFile file;
    private final String prefix;

    SafetensorsWeights(SafetensorsFile file) {
        this.file = file;
        this.prefix = file.entry(Gpt2Layout.PREFIX + "wte.weight") != null ? Gpt2Layout.PREFIX : "";
    }

    @Override
    public Path path() {
        return file.path();
    }

    @Override
    public WeightData find(String name, int... shape) {
        SafetensorsFile.Entry entry = file.entry(prefix + name);
        if (entry == null) {
            entry = file.entry(name);
        }
        if (entry == null) {
            return null;
        }
        boolean conv1d = Gpt2Layout.isConv1d(name);
        int[] stored = conv1d ? new int[] {shape[1], shape[0]} : shape;
        if (!Arrays.equals(entry.shape(), stored)) {
            throw new ModelLoadException(file.path() + ": tensor '" + entry.name() + "' has shape "
                    + Arrays.toString(entry.shape()) + " but the config needs " + Arrays.toString(stored));
        }
        DType dtype = file.dtype(entry);
        ByteBuffer mapped = file.bytes(entry);
        FiniteWeights.require(file.path(), new WeightData(entry.name(), dtype, mapped, stored));
        byte[] heap = new byte[mapped.remaining()];
        if (conv1d) {
            transpose(mapped, heap, stored[0], stored[1], dtype == DType.F32 ? 4 : 2);
        } else {
            mapped.duplicate().get(heap);
        }
        return new WeightData(entry.name(), dtype, ByteBuffer.wrap(heap), shape);
    }

    /** [rows, cols] elements of {@code width} bytes (4 or 2) from {@code src} into {@code dst} as [cols, rows]. */
    private static void transpose(ByteBuffer src, byte[] dst, int rows, int cols, int width) {
        ByteBuffer out = ByteBuffer.wrap(dst).order(src.order());
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int from = (r * cols + c) * width;
                int to = (c * rows + r) * width;
                if (width == 4) {
                    out.putInt(to, src.getInt(from));
                } else {
                    out.putShort(to, src.getShort(from));
                }
            }
        }
    }

    @Override
    public ModelLoadException missing(String name, int... shape) {
        int[] stored = Gpt2Layout.isConv1d(name) ? new int[] {shape[1], shape[0]} : shape;
        return new ModelLoadException(file.path() + ": missing tensor '" + prefix + name + "' "
                + Arrays.toString(stored));
    }
}
