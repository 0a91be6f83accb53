package dev.jgpt.model.io;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.MalformedJsonException;
import dev.jgpt.model.ModelLoadException;
import java.io.EOFException;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Strict JSON for the files a user hands us ({@code config.json}, llm-viz files): the whole text must be one JSON
 * value, and an error says what is wrong and where (line and column) in words, without Gson's advice or Java names.
 */
public final class JsonText {
    private static final Pattern WHERE = Pattern.compile("line (\\d+) column (\\d+)");

    private JsonText() {
    }

    /** Parses {@code text}; {@code what} names it in the error (e.g. the file). */
    public static JsonElement parse(String text, String what) {
        return parse(new StringReader(text), what);
    }

    /** Parses everything {@code in} holds (closed by the caller); {@code what} names it in the error. */
    public static JsonElement parse(Reader in, String what) {
        JsonReader reader = new JsonReader(in);
        reader.setStrictness(Strictness.STRICT);
        try {
            JsonElement e = new Gson().getAdapter(JsonElement.class).read(reader);
            boolean more;
            String end;
            try {
                more = reader.peek() != JsonToken.END_DOCUMENT;
                end = reader.toString();
            } catch (MalformedJsonException m) {
                more = true;
                end = m.getMessage();
            }
            if (more) {
                throw new ModelLoadException(what + " is not valid JSON: more text follows the end of the JSON value"
                        + where(end));
            }
            return e;
        } catch (EOFException e) {
            throw new ModelLoadException(what + " is not valid JSON: it ends too early" + where(e.getMessage()), e);
        } catch (MalformedJsonException | JsonParseException | IllegalStateException | NumberFormatException e) {
            String m = e.getMessage() == null ? "" : e.getMessage();
            throw new ModelLoadException(what + " is not valid JSON: " + reason(m) + where(m), e);
        } catch (IOException e) {
            throw new ModelLoadException("cannot read " + what + ": " + e.getMessage(), e);
        }
    }

    private static String reason(String m) {
        if (m.startsWith("Unterminated object")) {
            return "an object is not closed with '}' or a ',' is missing";
        }
        if (m.startsWith("Unterminated array")) {
            return "an array is not closed with ']' or a ',' is missing";
        }
        if (m.startsWith("Unterminated string") || m.contains("Unterminated escape")) {
            return "a string is not closed with '\"'";
        }
        if (m.startsWith("Expected name")) {
            return "expected a key in double quotes";
        }
        if (m.startsWith("Expected ':'")) {
            return "expected ':' after a key";
        }
        if (m.startsWith("Expected value")) {
            return "expected a value";
        }
        if (m.contains("NaN") || m.contains("Infinity") || m.contains("JSON forbids")) {
            return "NaN and infinities are not JSON numbers";
        }
        if (m.contains("setStrictness") || m.contains("malformed")) {
            return "unexpected text (comments, single quotes and unquoted words are not JSON)";
        }
        return "unexpected text";
    }

    /** " (line L, column C)" from a Gson message or reader description, or "" when it has none. */
    private static String where(String m) {
        Matcher w = WHERE.matcher(m == null ? "" : m);
        return w.find() ? " (line " + w.group(1) + ", column " + w.group(2) + ")" : "";
    }
}
