package dev.jgpt.server;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.stream.JsonReader;
import java.io.StringReader;
import java.math.BigDecimal;

/**
 * Typed, checked reads of a request's JSON fields: a missing field or JSON null gives the default, a value of the
 * wrong type or out of range a 400 naming the field. Unknown fields are never looked at (ignored, as OpenAI does).
 */
final class Fields {
    private final JsonObject body;

    private Fields(JsonObject body) {
        this.body = body;
    }

    /** Parses a request body, which must be one JSON object. */
    static Fields parse(String text) {
        JsonElement e;
        try {
            JsonReader reader = new JsonReader(new StringReader(text));
            e = JsonParser.parseReader(reader);
            if (reader.peek() != com.google.gson.stream.JsonToken.END_DOCUMENT) {
                throw new JsonParseException("trailing data");
            }
        } catch (JsonParseException | java.io.IOException | IllegalStateException ex) {
            throw ApiError.badRequest(null, "the request body is not valid JSON");
        }
        if (!e.isJsonObject()) {
            throw ApiError.badRequest(null, "the request body must be a JSON object");
        }
        return new Fields(e.getAsJsonObject());
    }

    /** The field's value, or null when it is absent or JSON null. */
    JsonElement get(String name) {
        JsonElement e = body.get(name);
        return e == null || e.isJsonNull() ? null : e;
    }

    boolean has(String name) {
        return get(name) != null;
    }

    /** A sub-object (e.g. {@code stream_options}), or an empty one. */
    Fields object(String name) {
        JsonElement e = get(name);
        if (e == null) {
            return new Fields(new JsonObject());
        }
        if (!e.isJsonObject()) {
            throw ApiError.badRequest(name, "'" + name + "' must be an object");
        }
        return new Fields(e.getAsJsonObject());
    }

    boolean bool(String name, boolean otherwise) {
        JsonElement e = get(name);
        if (e == null) {
            return otherwise;
        }
        if (!(e.isJsonPrimitive() && e.getAsJsonPrimitive().isBoolean())) {
            throw ApiError.badRequest(name, "'" + name + "' must be true or false");
        }
        return e.getAsBoolean();
    }

    /** A whole number in [min, max], or {@code otherwise} when absent. */
    long integer(String name, long otherwise, long min, long max) {
        JsonElement e = get(name);
        if (e == null) {
            return otherwise;
        }
        long v = asInteger(e, name);
        if (v < min || v > max) {
            throw ApiError.badRequest(name, "'" + name + "' must be " + range(min, max) + ", got " + v);
        }
        return v;
    }

    /** A number in [min, max], or {@code otherwise} when absent. */
    double number(String name, double otherwise, double min, double max) {
        JsonElement e = get(name);
        if (e == null) {
            return otherwise;
        }
        if (!isNumber(e)) {
            throw ApiError.badRequest(name, "'" + name + "' must be a number");
        }
        double v = e.getAsDouble();
        if (!(v >= min && v <= max)) {
            throw ApiError.badRequest(name, "'" + name + "' must lie in [" + plain(min) + ", " + plain(max)
                    + "], got " + plain(v));
        }
        return v;
    }

    static boolean isNumber(JsonElement e) {
        return e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber();
    }

    /** A JSON number with no fraction that fits a long; else a 400 naming {@code name}. */
    static long asInteger(JsonElement e, String name) {
        if (!isNumber(e)) {
            throw ApiError.badRequest(name, "'" + name + "' must be a whole number");
        }
        try {
            return new BigDecimal(((JsonPrimitive) e).getAsString()).longValueExact();
        } catch (ArithmeticException | NumberFormatException ex) {
            throw ApiError.badRequest(name, "'" + name + "' must be a whole number, got " + e);
        }
    }

    /** A string, or every element of an array of strings. */
    static String[] strings(JsonElement e, String name) {
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
            return new String[] {e.getAsString()};
        }
        if (e.isJsonArray()) {
            JsonArray a = e.getAsJsonArray();
            String[] out = new String[a.size()];
            for (int i = 0; i < out.length; i++) {
                JsonElement x = a.get(i);
                if (!(x.isJsonPrimitive() && x.getAsJsonPrimitive().isString())) {
                    throw ApiError.badRequest(name, "'" + name + "' must be a string or an array of strings");
                }
                out[i] = x.getAsString();
            }
            return out;
        }
        throw ApiError.badRequest(name, "'" + name + "' must be a string or an array of strings");
    }

    private static String range(long min, long max) {
        return max >= Integer.MAX_VALUE ? min + " or more" : "between " + min + " and " + max;
    }

    private static String plain(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
