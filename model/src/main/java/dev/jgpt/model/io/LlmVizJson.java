package dev.jgpt.model.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.jgpt.api.Shapes;
import dev.jgpt.model.ModelLoadException;
import java.io.IOException;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * llm-viz's tensor JSON, used for its model file and its partials (and for our traces): one object holding a
 * {@code config} object and, per tensor, {@code {"shape": [...], "dtype": "torch.float32", "data": "<base64 of
 * little-endian float32, row-major>"}}.
 */
public final class LlmVizJson {
    /** A tensor from the file. */
    public record Entry(int[] shape, float[] data) {
    }

    private final JsonObject config;
    private final Map<String, Entry> tensors;

    private LlmVizJson(JsonObject config, Map<String, Entry> tensors) {
        this.config = config;
        this.tensors = tensors;
    }

    public JsonObject config() {
        return config;
    }

    public Map<String, Entry> tensors() {
        return tensors;
    }

    /** Reads a file; errors are {@link ModelLoadException}s naming the file and the problem. */
    public static LlmVizJson read(Path file) {
        JsonObject root;
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            JsonElement e = JsonText.parse(r, file.toString());
            if (!e.isJsonObject()) {
                throw new ModelLoadException(file + " is not a JSON object");
            }
            root = e.getAsJsonObject();
        } catch (NoSuchFileException e) {
            throw new ModelLoadException("file " + file + " does not exist");
        } catch (IOException e) {
            throw new ModelLoadException("cannot read " + file + ": " + e.getMessage(), e);
        }
        JsonObject config = root.has("config") && root.get("config").isJsonObject()
                ? root.getAsJsonObject("config") : new JsonObject();
        Map<String, Entry> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> kv : root.entrySet()) {
            if (!kv.getKey().equals("config")) {
                tensors.put(kv.getKey(), decode(file, kv.getKey(), kv.getValue()));
            }
        }
        return new LlmVizJson(config, tensors);
    }

    private static Entry decode(Path file, String name, JsonElement value) {
        try {
            JsonObject o = value.getAsJsonObject();
            JsonArray shapeJson = o.getAsJsonArray("shape");
            int[] shape = new int[shapeJson.size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = shapeJson.get(i).getAsInt();
            }
            byte[] bytes = Base64.getDecoder().decode(o.get("data").getAsString());
            if (bytes.length != Shapes.size(shape) * 4) {
                throw new ModelLoadException(file + ": tensor '" + name + "' holds " + bytes.length
                        + " bytes, not the 4 × ∏shape its shape needs");
            }
            float[] data = new float[bytes.length / 4];
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(data);
            return new Entry(shape, data);
        } catch (ModelLoadException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ModelLoadException(file + ": tensor '" + name + "' is malformed (needs shape and base64 data)");
        }
    }

    /** Encodes one tensor as an llm-viz JSON entry. */
    public static JsonObject encode(int[] shape, float[] data) {
        JsonObject o = new JsonObject();
        JsonArray s = new JsonArray();
        for (int d : shape) {
            s.add(d);
        }
        o.add("shape", s);
        o.addProperty("dtype", "torch.float32");
        ByteBuffer buf = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(data);
        o.addProperty("data", Base64.getEncoder().encodeToString(buf.array()));
        return o;
    }
}
