package dev.jgpt.model.io;

import dev.jgpt.api.DType;
import dev.jgpt.api.Quantize;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A test-only GGUF writer, small and literal, for valid tiny models and every kind of broken file: metadata and
 * tensors are kept as given (an entry may be edited or removed before {@link #bytes}), tensors are laid out one after
 * the other at aligned offsets unless an offset is forced (which then overlaps the others or lies beyond them). Not the project's GGUF writer.
 */
public final class TinyGguf {
    /** A metadata value: its GGUF type number and the bytes after the type. */
    public record Value(int type, byte[] payload) {
    }

    /** A tensor: dims innermost first, ggml type number, its data, and an offset (−1: the next aligned one). */
    public record Tensor(int[] ne, int type, byte[] data, long offset) {
        public Tensor at(long newOffset) {
            return new Tensor(ne, type, data, newOffset);
        }
    }

    public int version = 3;
    public int alignment = GgufFile.DEFAULT_ALIGNMENT;
    public final Map<String, Value> metadata = new LinkedHashMap<>();
    public final Map<String, Tensor> tensors = new LinkedHashMap<>();

    /** A valid gpt2 model of random F32 weights, no tokenizer metadata, vocabulary {@code vocab}. */
    public static TinyGguf gpt2(int layers, int heads, int embd, int vocab, int context, long seed) {
        TinyGguf g = new TinyGguf();
        g.string("general.architecture", "gpt2");
        g.u32("gpt2.block_count", layers);
        g.u32("gpt2.context_length", context);
        g.u32("gpt2.embedding_length", embd);
        g.u32("gpt2.feed_forward_length", 4 * embd);
        g.u32("gpt2.attention.head_count", heads);
        g.f32("gpt2.attention.layer_norm_epsilon", 1e-5f);
        SplittableRandom rnd = new SplittableRandom(seed);
        g.random("token_embd.weight", DType.F32, rnd, embd, vocab);
        g.random("position_embd.weight", DType.F32, rnd, embd, context);
        for (int i = 0; i < layers; i++) {
            String b = "blk." + i + ".";
            g.random(b + "attn_norm.weight", DType.F32, rnd, embd);
            g.random(b + "attn_norm.bias", DType.F32, rnd, embd);
            g.random(b + "attn_qkv.weight", DType.F32, rnd, embd, 3 * embd);
            g.random(b + "attn_qkv.bias", DType.F32, rnd, 3 * embd);
            g.random(b + "attn_output.weight", DType.F32, rnd, embd, embd);
            g.random(b + "attn_output.bias", DType.F32, rnd, embd);
            g.random(b + "ffn_norm.weight", DType.F32, rnd, embd);
            g.random(b + "ffn_norm.bias", DType.F32, rnd, embd);
            g.random(b + "ffn_up.weight", DType.F32, rnd, embd, 4 * embd);
            g.random(b + "ffn_up.bias", DType.F32, rnd, 4 * embd);
            g.random(b + "ffn_down.weight", DType.F32, rnd, 4 * embd, embd);
            g.random(b + "ffn_down.bias", DType.F32, rnd, embd);
        }
        g.random("output_norm.weight", DType.F32, rnd, embd);
        g.random("output_norm.bias", DType.F32, rnd, embd);
        return g;
    }

    /** A tensor of random values in [−0.1, 0.1) encoded as {@code dtype}, dims innermost first. */
    public TinyGguf random(String name, DType dtype, SplittableRandom rnd, int... ne) {
        long n = 1;
        for (int d : ne) {
            n *= d;
        }
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rnd.nextDouble() * 0.2 - 0.1);
        }
        return tensor(name, dtype, v, ne);
    }

    /** A tensor holding {@code values} encoded as {@code dtype}. */
    public TinyGguf tensor(String name, DType dtype, float[] values, int... ne) {
        tensors.put(name, new Tensor(ne, GgmlType.id(dtype), Quantize.toBytes(dtype, values), -1));
        return this;
    }

    public TinyGguf string(String key, String v) {
        metadata.put(key, new Value(8, str(v)));
        return this;
    }

    public TinyGguf u32(String key, long v) {
        metadata.put(key, new Value(4, le(4, v)));
        return this;
    }

    public TinyGguf f32(String key, float v) {
        metadata.put(key, new Value(6, le(4, Float.floatToRawIntBits(v))));
        return this;
    }

    /** An array of strings. */
    public TinyGguf strings(String key, String... v) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(le(4, 8));
        b.writeBytes(le(8, v.length));
        for (String s : v) {
            b.writeBytes(str(s));
        }
        metadata.put(key, new Value(9, b.toByteArray()));
        return this;
    }

    /** A GGUF string: u64 length, UTF-8 bytes. */
    public static byte[] str(String s) {
        byte[] u = s.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(le(8, u.length));
        b.writeBytes(u);
        return b.toByteArray();
    }

    /** {@code v}'s low {@code n} bytes, little-endian. */
    public static byte[] le(int n, long v) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (v >>> (8 * i));
        }
        return b;
    }

    /** The whole file. */
    public byte[] bytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("GGUF".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(le(4, version));
        out.writeBytes(le(8, tensors.size()));
        out.writeBytes(le(8, metadata.size()));
        for (Map.Entry<String, Value> e : metadata.entrySet()) {
            out.writeBytes(str(e.getKey()));
            out.writeBytes(le(4, e.getValue().type()));
            out.writeBytes(e.getValue().payload());
        }
        long next = 0;
        Map<String, Long> offsets = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            long at = t.offset() >= 0 ? t.offset() : next;
            offsets.put(e.getKey(), at);
            if (t.offset() < 0) { // a forced offset neither moves the next one nor grows the data section
                next = align(at + t.data().length);
            }
            out.writeBytes(str(e.getKey()));
            out.writeBytes(le(4, t.ne().length));
            for (int d : t.ne()) {
                out.writeBytes(le(8, d));
            }
            out.writeBytes(le(4, t.type()));
            out.writeBytes(le(8, at));
        }
        while (out.size() % alignment != 0) {
            out.write(0);
        }
        ByteBuffer data = ByteBuffer.allocate((int) next).order(ByteOrder.LITTLE_ENDIAN);
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            long at = offsets.get(e.getKey());
            byte[] d = e.getValue().data();
            if (at < next) {
                data.put((int) at, d, 0, (int) Math.min(d.length, next - at));
            }
        }
        out.writeBytes(data.array());
        return out.toByteArray();
    }

    private long align(long n) {
        return (n + alignment - 1) / alignment * alignment;
    }

    /** Writes the file to {@code path}. */
    public Path write(Path path) throws IOException {
        return Files.write(path, bytes());
    }
}
