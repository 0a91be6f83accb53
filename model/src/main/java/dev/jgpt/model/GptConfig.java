package dev.jgpt.model;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.jgpt.api.Gelu;
import dev.jgpt.model.io.JsonText;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The hyper-parameters of a GPT-2 model, read from a Hugging Face {@code config.json}: layers, heads, width,
 * vocabulary, context, layer-norm epsilon, GELU form and whether the LM head is tied to the token embedding; and the
 * tokenizer the model declares, if it does ({@code tokenizer_class}, see {@link TokenizerChoice}).
 */
public final class GptConfig {
    /** Sizes above these are refused before anything is allocated (gpt2-xl is 48 × 25 × 1600, 50257, 1024). */
    static final int MAX_LAYERS = 1024;
    static final int MAX_WIDTH = 65_536;
    static final int MAX_VOCAB = 1 << 22;
    static final int MAX_POSITIONS = 1 << 20;

    public final int nLayer;
    public final int nHead;
    public final int nEmbd;
    public final int vocabSize;
    public final int nPositions;
    public final float layerNormEps;
    public final Gelu gelu;
    public final boolean tieWordEmbeddings;
    /** {@code tokenizer_class} of config.json (e.g. {@code GPT2Tokenizer}), or null when it names none. */
    public final String tokenizerClass;

    /** A config that declares no tokenizer. */
    public GptConfig(int nLayer, int nHead, int nEmbd, int vocabSize, int nPositions, float layerNormEps, Gelu gelu,
            boolean tieWordEmbeddings) {
        this(nLayer, nHead, nEmbd, vocabSize, nPositions, layerNormEps, gelu, tieWordEmbeddings, null);
    }

    public GptConfig(int nLayer, int nHead, int nEmbd, int vocabSize, int nPositions, float layerNormEps, Gelu gelu,
            boolean tieWordEmbeddings, String tokenizerClass) {
        this.nLayer = check("n_layer", nLayer, MAX_LAYERS);
        this.nHead = check("n_head", nHead, MAX_WIDTH);
        this.nEmbd = check("n_embd", nEmbd, MAX_WIDTH);
        this.vocabSize = check("vocab_size", vocabSize, MAX_VOCAB);
        this.nPositions = check("n_positions", nPositions, MAX_POSITIONS);
        if (nEmbd % nHead != 0) {
            throw new ModelLoadException("config: n_embd " + nEmbd + " is not divisible by n_head " + nHead);
        }
        if (!(layerNormEps > 0f) || !Float.isFinite(layerNormEps)) {
            throw new ModelLoadException("config: layer_norm_epsilon must be a positive number, got " + layerNormEps);
        }
        this.layerNormEps = layerNormEps;
        this.gelu = gelu;
        this.tieWordEmbeddings = tieWordEmbeddings;
        this.tokenizerClass = tokenizerClass;
    }

    /** This config declaring {@code tokenizerClass} as its tokenizer (null: none). */
    public GptConfig withTokenizerClass(String tokenizerClass) {
        return new GptConfig(nLayer, nHead, nEmbd, vocabSize, nPositions, layerNormEps, gelu, tieWordEmbeddings,
                tokenizerClass);
    }

    private static int check(String key, int value, int max) {
        if (value < 1 || value > max) {
            throw new ModelLoadException("config: " + key + " = " + value + " is outside 1.." + max);
        }
        return value;
    }

    /** Head size A = C / H. */
    public int headSize() {
        return nEmbd / nHead;
    }

    /** Reads {@code config.json}; unknown keys are ignored, a missing required key is an error naming it. */
    public static GptConfig read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ModelLoadException("no config.json in " + file.toAbsolutePath().getParent()
                    + "; a model folder holds config.json and model.safetensors");
        } catch (IOException e) {
            throw new ModelLoadException("cannot read " + file + ": " + e.getMessage(), e);
        }
        JsonElement parsed = JsonText.parse(text, file.toString());
        if (!parsed.isJsonObject()) {
            throw new ModelLoadException(file + " is not a JSON object; config.json holds {\"n_layer\": ..., ...}");
        }
        JsonObject o = parsed.getAsJsonObject();
        String activation = o.has("activation_function") ? string(o, "activation_function") : "gelu_new";
        Gelu gelu = Gelu.fromConfig(activation);
        if (gelu == null) {
            throw new ModelLoadException("config: activation_function '" + activation
                    + "' is not supported; use gelu_new (tanh form) or gelu (erf form)");
        }
        int positions = o.has("n_positions") ? integer(o, "n_positions") : integer(o, "n_ctx");
        float eps = o.has("layer_norm_epsilon") ? (float) number(o, "layer_norm_epsilon") : 1e-5f;
        boolean tied = !o.has("tie_word_embeddings") || bool(o, "tie_word_embeddings");
        String tokenizer = o.has("tokenizer_class") && !o.get("tokenizer_class").isJsonNull()
                ? string(o, "tokenizer_class") : null;
        return new GptConfig(integer(o, "n_layer"), integer(o, "n_head"), integer(o, "n_embd"),
                integer(o, "vocab_size"), positions, eps, gelu, tied, tokenizer);
    }

    /** The {@code config.json} text for this config (Hugging Face keys). */
    public String toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("model_type", "gpt2");
        o.addProperty("n_layer", nLayer);
        o.addProperty("n_head", nHead);
        o.addProperty("n_embd", nEmbd);
        o.addProperty("vocab_size", vocabSize);
        o.addProperty("n_positions", nPositions);
        o.addProperty("n_ctx", nPositions);
        o.addProperty("layer_norm_epsilon", layerNormEps);
        o.addProperty("activation_function", gelu == Gelu.TANH ? "gelu_new" : "gelu");
        o.addProperty("tie_word_embeddings", tieWordEmbeddings);
        if (tokenizerClass != null) {
            o.addProperty("tokenizer_class", tokenizerClass);
        }
        return new com.google.gson.GsonBuilder().setPrettyPrinting().create().toJson(o) + "\n";
    }

    private static JsonElement required(JsonObject o, String key) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            throw new ModelLoadException("config.json lacks the required key '" + key + "'");
        }
        return e;
    }

    private static double number(JsonObject o, String key) {
        JsonElement e = required(o, key);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw new ModelLoadException("config: '" + key + "' must be a number, got " + e);
        }
        return e.getAsDouble();
    }

    private static int integer(JsonObject o, String key) {
        double d = number(o, key);
        if (d != Math.rint(d)) {
            throw new ModelLoadException("config: '" + key + "' must be a whole number, got " + d);
        }
        if (Math.abs(d) > Integer.MAX_VALUE) {
            throw new ModelLoadException("config: '" + key + "' = " + o.get(key).getAsString()
                    + " is far too large for any model");
        }
        return (int) d;
    }

    private static String string(JsonObject o, String key) {
        JsonElement e = required(o, key);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new ModelLoadException("config: '" + key + "' must be a string, got " + e);
        }
        return e.getAsString();
    }

    private static boolean bool(JsonObject o, String key) {
        JsonElement e = required(o, key);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
            throw new ModelLoadException("config: '" + key + "' must be true or false, got " + e);
        }
        return e.getAsBoolean();
    }

    @Override
    public String toString() {
        return "GptConfig{n_layer=" + nLayer + ", n_head=" + nHead + ", n_embd=" + nEmbd + ", vocab_size=" + vocabSize
                + ", n_positions=" + nPositions + ", eps=" + layerNormEps + ", gelu=" + gelu + ", tied="
                + tieWordEmbeddings + "}";
    }
}
