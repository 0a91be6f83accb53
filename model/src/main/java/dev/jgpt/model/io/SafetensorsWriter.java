package dev.jgpt.model.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.jgpt.api.Shapes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Collects float tensors and writes them as one {@code .safetensors} file (atomically), in F32, F16 or BF16. */
public final class SafetensorsWriter {
    private final Map<String, float[]> data = new LinkedHashMap<>();
    private final Map<String, int[]> shapes = new LinkedHashMap<>();

    /** Adds a tensor; {@code values.length} must equal ∏ shape. */
    public SafetensorsWriter put(String name, float[] values, int... shape) {
        if (values.length != Shapes.size(shape)) {
            throw new IllegalArgumentException(name + ": " + values.length + " values for shape "
                    + Arrays.toString(shape));
        }
        data.put(name, values);
        shapes.put(name, shape.clone());
        return this;
    }

    /** Writes all tensors as {@code dtype} (F32, F16 or BF16), atomically. */
    public void write(Path target, String dtype) throws IOException {
        AtomicFiles.write(target, content(dtype));
    }

    /** The file's content with all tensors as {@code dtype} (F32, F16 or BF16), for {@link AtomicFiles}. */
    public AtomicFiles.Content content(String dtype) {
        int width = dtype.equals("F32") ? 4 : 2;
        if (!dtype.equals("F32") && !dtype.equals("F16") && !dtype.equals("BF16")) {
            throw new IllegalArgumentException("dtype " + dtype);
        }
        JsonObject header = new JsonObject();
        JsonObject meta = new JsonObject();
        meta.addProperty("format", "pt");
        header.add("__metadata__", meta);
        long offset = 0;
        for (Map.Entry<String, float[]> e : data.entrySet()) {
            JsonObject o = new JsonObject();
            o.addProperty("dtype", dtype);
            JsonArray shape = new JsonArray();
            for (int d : shapes.get(e.getKey())) {
                shape.add(d);
            }
            o.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offset += (long) e.getValue().length * width;
            offsets.add(offset);
            o.add("data_offsets", offsets);
            header.add(e.getKey(), o);
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        int pad = (8 - json.length % 8) % 8; // align the data section to 8 bytes, as the reference writer does
        byte[] padded = Arrays.copyOf(json, json.length + pad);
        Arrays.fill(padded, json.length, padded.length, (byte) ' ');
        return out -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded.length);
            out.write(len.array());
            out.write(padded);
            ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (float[] values : data.values()) {
                for (float v : values) {
                    if (buf.remaining() < 4) {
                        out.write(buf.array(), 0, buf.position());
                        buf.clear();
                    }
                    if (width == 4) {
                        buf.putFloat(v);
                    } else {
                        buf.putShort(dtype.equals("F16") ? HalfFloats.floatToF16(v) : HalfFloats.floatToBf16(v));
                    }
                }
            }
            out.write(buf.array(), 0, buf.position());
        };
    }
}
