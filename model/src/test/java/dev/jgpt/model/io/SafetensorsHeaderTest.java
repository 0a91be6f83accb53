package dev.jgpt.model.io;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.model.ModelLoadException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The header parser is bounded in memory by the header's size (issue 12, row 4: 90 MB of one string took 3.3 GB). */
class SafetensorsHeaderTest {
    @TempDir
    Path tmp;

    static Path file(Path p, String header) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + 16).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        return Files.write(p, b.array());
    }

    static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    @Test
    void oneHugeStringIsRefusedWithoutBuildingIt() throws IOException {
        int size = 24 << 20;
        Path f = file(tmp.resolve("huge.safetensors"), "{\"__metadata__\":{\"x\":\"" + "A".repeat(size) + "\"}}");
        long before = allocated();
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> SafetensorsFile.open(f));
        long used = allocated() - before;
        assertTrue(e.getMessage().contains("string of more than"), e.getMessage());
        assertTrue(used < 2L * size, "parsing allocated " + (used >> 20) + " MB for a " + (size >> 20)
                + " MB header; at most the header itself and a little more");
    }

    @Test
    void aHugeNameAndDeepNestingAreRefusedToo() throws IOException {
        Path name = file(tmp.resolve("name.safetensors"), "{\"" + "n".repeat(1 << 20)
                + "\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}");
        assertTrue(assertThrows(ModelLoadException.class, () -> SafetensorsFile.open(name)).getMessage()
                .contains("string of more than"));
        Path deep = file(tmp.resolve("deep.safetensors"), "{\"__metadata__\":" + "[".repeat(100_000)
                + "]".repeat(100_000) + "}");
        assertTrue(assertThrows(ModelLoadException.class, () -> SafetensorsFile.open(deep)).getMessage()
                .contains("nests deeper"));
    }

    @Test
    void aSmallMetadataSectionStillLoads() throws IOException {
        Path ok = file(tmp.resolve("ok.safetensors"), "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}");
        try (SafetensorsFile f = SafetensorsFile.open(ok)) {
            assertTrue(f.entry("a") != null && f.entry("a").shape()[1] == 2);
        }
    }
}
