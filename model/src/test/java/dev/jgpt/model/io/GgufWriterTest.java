package dev.jgpt.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.api.DType;
import dev.jgpt.api.Quantize;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The GGUF v3 layout byte for byte: header, typed metadata, tensor infos innermost first, aligned data. */
class GgufWriterTest {
    @TempDir
    Path tmp;

    @Test
    void headerMetadataAndAlignedTensors() throws IOException {
        byte[] q8 = Quantize.toBytes(DType.Q8_0, new float[64]);
        GgufWriter w = new GgufWriter()
                .putString("general.architecture", "gpt2")
                .putU32("n", 7)
                .putF32("eps", 1e-5f)
                .putBool("yes", true)
                .putU64("big", 1L << 40)
                .putStrings("words", List.of("a", "Ġb", ""))
                .putI32s("ints", new int[] {1, -3})
                .tensor("v", DType.F32, new int[] {3}, Quantize.toBytes(DType.F32, new float[] {1, 2, 3}))
                .tensor("m", DType.Q8_0, new int[] {1, 64}, q8);
        Path f = tmp.resolve("t.gguf");
        w.write(f);
        byte[] raw = Files.readAllBytes(f);
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals('G', b.get(0));
        assertEquals('F', b.get(3));
        assertEquals(3, b.getInt(4));
        assertEquals(2, b.getLong(8), "tensor count");
        assertEquals(8, b.getLong(16), "metadata count, general.alignment included");
        GgufTestFile g = GgufTestFile.read(f);
        assertEquals(32L, g.metadata.get("general.alignment"));
        assertEquals(4, g.typeOf("general.alignment"), "u32");
        assertEquals("gpt2", g.metadata.get("general.architecture"));
        assertEquals(7L, g.metadata.get("n"));
        assertEquals(6, g.typeOf("eps"));
        assertEquals((double) 1e-5f, g.metadata.get("eps"));
        assertEquals(true, g.metadata.get("yes"));
        assertEquals(1L << 40, g.metadata.get("big"));
        assertEquals(10, g.typeOf("big"));
        assertEquals(List.of("a", "Ġb", ""), g.metadata.get("words"));
        assertEquals(List.of(1L, -3L), g.metadata.get("ints"));
        assertEquals(0, g.dataStart % 32);
        assertEquals(0, g.tensors.get("v").offset());
        assertEquals(32, g.tensors.get("m").offset(), "12 bytes of v, padded to 32");
        assertArrayEquals(new long[] {64, 1}, g.tensors.get("m").dims(), "innermost first");
        assertEquals(8, g.tensors.get("m").type());
        assertArrayEquals(q8, g.data("m"));
        assertEquals(g.dataStart + 32 + 68 + 28, raw.length, "the last tensor is padded too");
        for (int i = (int) g.dataStart + 12; i < g.dataStart + 32; i++) {
            assertEquals(0, raw[i], "padding is zeros");
        }
    }

    @Test
    void wrongByteCountsAndBadNamesAreBugs() throws IOException {
        GgufWriter w = new GgufWriter().tensor("v", DType.F16, new int[] {4}, new byte[6]);
        Path f = tmp.resolve("short.gguf");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> w.write(f));
        assertTrue(e.getMessage().contains("wrote 6 bytes; F16 [4] takes 8"), e.getMessage());
        assertFalse(Files.exists(f), "nothing half-written");
        try (var left = Files.list(tmp)) {
            assertEquals(0, left.count(), "no temporary file left");
        }
        assertThrows(IllegalArgumentException.class,
                () -> new GgufWriter().tensor("x".repeat(64), DType.F32, new int[] {1}, new byte[4]));
        assertThrows(IllegalArgumentException.class,
                () -> new GgufWriter().tensor("q", DType.Q4_0, new int[] {2, 48}, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new GgufWriter().putU32("general.alignment", 64));
        assertEquals(0, GgufWriter.padding(64));
        assertEquals(31, GgufWriter.padding(33));
    }
}
