package dev.jgpt.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.api.DType;
import dev.jgpt.api.WeightData;
import dev.jgpt.model.Hostile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The GGUF reader on small files the test writes, valid and broken ({@link TinyGguf}). */
class GgufFileTest {
    @TempDir
    Path tmp;

    Path file() {
        return tmp.resolve("model.gguf");
    }

    String refused(byte[] bytes, String... expected) throws IOException {
        return Hostile.refused(file(), bytes, p -> GgufFile.open(p).close(), expected);
    }

    static TinyGguf small() {
        TinyGguf g = new TinyGguf().string("general.architecture", "gpt2");
        g.tensor("a", DType.F32, new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
        g.tensor("b", DType.Q8_0, new float[64], 32, 2);
        return g;
    }

    /** {@code head} then {@code tail} bytes: a header the test spells out. */
    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static byte[] header(long version, long tensors, long kvs) {
        return concat("GGUF".getBytes(), TinyGguf.le(4, version), TinyGguf.le(8, tensors), TinyGguf.le(8, kvs));
    }

    @Test
    void aSmallFileReadsWithItsMetadataAndTensors() throws IOException {
        TinyGguf g = small();
        g.u32("general.alignment", 64);
        g.alignment = 64;
        g.metadata.put("nested", new TinyGguf.Value(9, concat(TinyGguf.le(4, 9), TinyGguf.le(8, 2),
                TinyGguf.le(4, 0), TinyGguf.le(8, 3), new byte[] {1, 2, 3}, TinyGguf.le(4, 12), TinyGguf.le(8, 1),
                TinyGguf.le(8, Double.doubleToLongBits(0.5)))));
        g.metadata.put("flag", new TinyGguf.Value(7, new byte[] {1}));
        g.metadata.put("i64", new TinyGguf.Value(11, TinyGguf.le(8, -5)));
        try (GgufFile f = GgufFile.open(g.write(file()))) {
            assertEquals(3, f.version());
            assertEquals(64, f.alignment());
            assertEquals(0, f.dataStart() % 64);
            assertEquals("gpt2", f.metadata().string("general.architecture"));
            assertEquals(-5, f.metadata().integer("i64"));
            assertEquals(true, f.metadata().get("flag").value());
            GgufArray nested = (GgufArray) f.metadata().get("nested").value();
            GgufArray[] inner = (GgufArray[]) nested.elements();
            assertArrayEquals(new byte[] {1, 2, 3}, (byte[]) inner[0].elements());
            assertArrayEquals(new double[] {0.5}, (double[]) inner[1].elements());
            assertEquals(Arrays.asList("a", "b"), f.tensors().keySet().stream().toList());
            WeightData a = f.read(f.tensor("a"));
            assertArrayEquals(new int[] {2, 3}, a.shape()); // ne [3, 2] innermost first is [2, 3]
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, a.toFloats());
            WeightData b = f.read(f.tensor("b"));
            assertEquals(DType.Q8_0, b.dtype());
            assertEquals(2 * 34, b.bytes().remaining());
        }
        g.version = 2;
        try (GgufFile f = GgufFile.open(g.write(file()))) {
            assertEquals(2, f.version());
        }
    }

    @Test
    void theSharedFilesRead() {
        Path dir = Path.of(System.getProperty("jgpt.root", ".")).toAbsolutePath()
                .resolve("../shared/reference/llama.cpp").normalize();
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(dir), dir + " is absent");
        try (GgufFile f = GgufFile.open(dir.resolve("gpt2-tiny-q4_0-mixed.gguf"))) {
            assertEquals(28, f.tensors().size());
            assertEquals(GgufFile.DEFAULT_ALIGNMENT, f.alignment());
            assertEquals(DType.Q8_0, f.tensor("token_embd.weight").dtype());
            assertArrayEquals(new int[] {64, 50257}, f.tensor("token_embd.weight").ne());
            assertEquals(DType.Q4_0, f.tensor("blk.0.attn_qkv.weight").dtype());
            assertEquals(50257, f.metadata().stringsOrNull("tokenizer.ggml.tokens").length);
            assertEquals(128, f.metadata().integer("gpt2.context_length"));
        }
    }

    @Test
    void aTruncatedHeaderIsRefused() throws IOException {
        byte[] whole = small().bytes();
        long end;
        try (GgufFile f = GgufFile.open(Files.write(file(), whole))) {
            end = f.dataStart() + f.tensors().values().stream().mapToLong(t -> t.offset() + t.bytes()).max()
                    .orElseThrow();
        }
        refused(Arrays.copyOf(whole, 3), "not a GGUF file");
        refused(Arrays.copyOf(whole, 12), "the file ends at byte 12 in the header", "truncated");
        refused(concat(header(3, 0, 1), TinyGguf.str("general.architecture"), TinyGguf.le(4, 8), TinyGguf.le(8, 4),
                "gp".getBytes()), "the file ends at byte 66 in metadata key 'general.architecture', which needs 4 more "
                + "bytes from byte 64 (truncated?)");
        for (int cut = 4; cut < end; cut++) { // wherever it is cut before the last tensor's end
            refused(Arrays.copyOf(whole, cut), "truncated");
        }
    }

    @Test
    void absurdLengthsAndCountsAreRefusedBeforeAllocating() throws IOException {
        refused(concat(header(3, 0, 1), TinyGguf.le(8, 1L << 40), new byte[64]), "metadata key 0 claims a length of "
                + (1L << 40) + " bytes, more than the limit of " + GgufFile.MAX_KEY_BYTES);
        refused(concat(header(3, 0, 1), TinyGguf.str("k"), TinyGguf.le(4, 8), TinyGguf.le(8, -1)),
                "a string of metadata key 'k' claims a length of 18446744073709551615 bytes");
        refused(concat(header(3, 0, 1), TinyGguf.str("k"), TinyGguf.le(4, 8), TinyGguf.le(8, 1000)),
                "the file ends at byte", "metadata key 'k'");
        refused(header(3, 1L << 40, 0), "the tensor count is " + (1L << 40) + ", more than the limit of "
                + GgufFile.MAX_TENSORS);
        refused(header(3, 60_000, 0), "the tensor count is 60000, but the 8 bytes left in the file cannot hold");
        refused(header(3, 0, Long.MIN_VALUE), "the metadata count is 9223372036854775808, more than the limit");
        refused(concat(header(3, 0, 1), TinyGguf.str("arr"), TinyGguf.le(4, 9), TinyGguf.le(4, 10),
                TinyGguf.le(8, 1L << 30)), "metadata key 'arr' is an array of 1073741824 elements, more than the "
                + "limit of " + GgufFile.MAX_ARRAY_LENGTH);
        refused(concat(header(3, 0, 1), TinyGguf.str("arr"), TinyGguf.le(4, 9), TinyGguf.le(4, 8),
                TinyGguf.le(8, 1 << 20)), "is an array of 1048576 STRING elements, more than the 0 bytes left");
        ByteArrayOutputStream deep = new ByteArrayOutputStream();
        deep.writeBytes(concat(header(3, 0, 1), TinyGguf.str("deep"), TinyGguf.le(4, 9)));
        for (int i = 0; i < 20; i++) {
            deep.writeBytes(concat(TinyGguf.le(4, 9), TinyGguf.le(8, 1)));
        }
        refused(deep.toByteArray(), "nests arrays deeper than " + GgufFile.MAX_ARRAY_DEPTH);
    }

    @Test
    void badHeadersAreRefused() throws IOException {
        refused(header(1, 0, 0), "GGUF version 1 is not supported");
        refused(header(3L << 24, 0, 0), "GGUF version 50331648", "big-endian");
        refused(concat(header(3, 0, 1), TinyGguf.str("k"), TinyGguf.le(4, 13)), "metadata key 'k' has value type 13");
        refused(concat(header(3, 0, 1), TinyGguf.str("b"), TinyGguf.le(4, 7), new byte[] {2}), "bool of value 2");
        refused(concat(header(3, 0, 2), TinyGguf.str("k"), TinyGguf.le(4, 0), new byte[] {1}, TinyGguf.str("k"),
                TinyGguf.le(4, 0), new byte[] {1}), "metadata key 'k' appears twice");
        refused(concat(header(3, 0, 1), TinyGguf.str("k"), TinyGguf.le(4, 8), TinyGguf.str("\u00ff").length == 0
                ? new byte[0] : concat(TinyGguf.le(8, 1), new byte[] {(byte) 0xff})), "is not valid UTF-8");
        TinyGguf g = small();
        g.u32("general.alignment", 24);
        refused(g.bytes(), "'general.alignment' is 24; the alignment must be a power of two");
    }

    @Test
    void badTensorInfosAreRefused() throws IOException {
        TinyGguf fiveDims = small();
        fiveDims.tensor("c", DType.F32, new float[32], 2, 2, 2, 2, 2);
        refused(fiveDims.bytes(), "tensor 'c' has 5 dimensions; GGUF tensors have 1 to 4");

        TinyGguf beyond = small();
        beyond.tensors.put("b", beyond.tensors.get("b").at(1 << 20));
        refused(beyond.bytes(), "tensor 'b' (68 bytes at offset 1048576) lies beyond the end of the data section");

        TinyGguf cut = small();
        byte[] whole = cut.bytes();
        refused(Arrays.copyOf(whole, whole.length - 40), "tensor 'b'", "lies beyond the end of the data section",
                "truncated");

        TinyGguf overlapping = small(); // b takes bytes 32-100 of the 128 of the data section
        overlapping.tensors.put("c", new TinyGguf.Tensor(new int[] {4}, 0, new byte[16], 64));
        refused(overlapping.bytes(), "tensors 'b' and 'c' overlap");

        TinyGguf misaligned = small();
        misaligned.tensors.put("b", misaligned.tensors.get("b").at(4));
        refused(misaligned.bytes(), "tensor 'b' has offset 4, not a multiple of the alignment 32");

        TinyGguf unknown = small();
        unknown.tensors.put("b", new TinyGguf.Tensor(new int[] {32, 2}, 99, new byte[68], -1));
        refused(unknown.bytes(), "tensor 'b' has ggml type 99, which is no ggml type jgpt knows (F32, F16, BF16, "
                + "Q8_0, Q4_0 load)");

        TinyGguf q6k = small();
        q6k.tensors.put("token_embd.weight", new TinyGguf.Tensor(new int[] {256, 2}, 14, new byte[420], -1));
        String m = refused(q6k.bytes());
        assertEquals(file() + ": tensor 'token_embd.weight' has ggml type Q6_K, which jgpt does not implement (F32, "
                + "F16, BF16, Q8_0, Q4_0 load)", m);

        TinyGguf rows = small();
        rows.tensors.put("b", new TinyGguf.Tensor(new int[] {33, 2}, 8, new byte[68], -1));
        refused(rows.bytes(), "tensor 'b' is Q8_0 with rows of 33 elements, not a multiple of its block of 32");

        TinyGguf empty = small();
        empty.tensors.put("b", new TinyGguf.Tensor(new int[] {0}, 0, new byte[0], -1));
        refused(empty.bytes(), "tensor 'b' has dimension 0 of 0");

        TinyGguf huge = small();
        huge.tensors.put("b", new TinyGguf.Tensor(new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE},
                0, new byte[0], -1));
        refused(huge.bytes(), "tensor 'b' has dims", "too large to exist");

        TinyGguf twice = small();
        byte[] bytes = twice.bytes();
        String s = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1).replace("\u0001\u0000\u0000\u0000"
                + "\u0000\u0000\u0000\u0000b", "\u0001\u0000\u0000\u0000\u0000\u0000\u0000\u0000a");
        refused(s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), "tensor 'a' appears twice");
    }

    @Test
    void isGgufLooksAtTheFirstFourBytes() throws IOException {
        assertTrue(GgufFile.isGguf(small().write(file())));
        assertTrue(!GgufFile.isGguf(Files.write(tmp.resolve("x.gguf"), new byte[] {'G', 'G', 'U'})));
        assertTrue(!GgufFile.isGguf(tmp));
        assertTrue(!GgufFile.isGguf(tmp.resolve("missing.gguf")));
    }
}
