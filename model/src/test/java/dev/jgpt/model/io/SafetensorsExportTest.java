package dev.jgpt.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jgpt.api.DType;
import dev.jgpt.api.Dequantize;
import dev.jgpt.api.Quantize;
import dev.jgpt.model.GptConfig;
import dev.jgpt.model.Checkpoint;
import dev.jgpt.model.TokenizerChoice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A folder written back in another dtype: the same config, Conv1D weights [in, out] again, values rounded once. */
class SafetensorsExportTest {
    @TempDir
    Path tmp;

    @Test
    void f32FolderToF16AndBf16() throws IOException {
        Path src = GgufExportTest.REF.resolve("gpt2-tiny-hf");
        assumeTrue(Files.isDirectory(src), src + " is absent");
        for (String dtype : new String[] {"F16", "BF16", "F32"}) {
            Path out = tmp.resolve(dtype);
            try (Checkpoint m = Checkpoint.open(src)) {
                GptConfig written = SafetensorsExport.write(m, dtype, out);
                assertEquals(TokenizerChoice.GPT2_CLASS, written.tokenizerClass, "declared: GPT-2's BPE by its size");
            }
            try (Checkpoint a = Checkpoint.open(src); Checkpoint b = Checkpoint.open(out);
                    SafetensorsFile f = SafetensorsFile.open(out.resolve("model.safetensors"))) {
                assertEquals(a.config().toString(), b.config().toString());
                assertEquals(TokenizerChoice.GPT2_CLASS, b.config().tokenizerClass);
                assertEquals(a.shapes().keySet(), b.shapes().keySet());
                for (Map.Entry<String, int[]> e : a.shapes().entrySet()) {
                    float[] want = a.read(e.getKey());
                    if (!dtype.equals("F32")) {
                        DType t = DType.valueOf(dtype);
                        want = Dequantize.toFloats(t, ByteBuffer.wrap(Quantize.toBytes(t, want))
                                .order(ByteOrder.LITTLE_ENDIAN), want.length);
                    }
                    assertArrayEquals(want, b.read(e.getKey()), e.getKey());
                    SafetensorsFile.Entry stored = f.entry(e.getKey());
                    assertEquals(dtype, stored.dtype());
                    int[] s = e.getValue();
                    assertArrayEquals(e.getKey().contains(".c_") && s.length == 2 ? new int[] {s[1], s[0]} : s,
                            stored.shape(), e.getKey() + " as Hugging Face stores it");
                }
                assertNull(f.entry("lm_head.weight"), "tied");
            }
        }
    }
}
