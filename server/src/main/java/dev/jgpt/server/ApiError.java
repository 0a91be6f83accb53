package dev.jgpt.server;

import com.google.gson.JsonNull;
import com.google.gson.JsonObject;

/**
 * A request the server refuses, answered with OpenAI's error object
 * {@code {"error": {"message", "type", "param", "code"}}} and an HTTP status.
 */
final class ApiError extends RuntimeException {
    final int status;
    final String type;
    final String param;
    final String code;

    ApiError(int status, String type, String param, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    /** 400: a malformed request or a value out of range; {@code param} names the field, or null. */
    static ApiError badRequest(String param, String message) {
        return new ApiError(400, "invalid_request_error", param, null, message);
    }

    static ApiError notFound(String message) {
        return new ApiError(404, "invalid_request_error", null, "not_found", message);
    }

    static ApiError unauthorized() {
        return new ApiError(401, "invalid_request_error", null, "invalid_api_key",
                "missing or wrong API key: send the header 'Authorization: Bearer <key>'");
    }

    static ApiError tooLarge(long limit) {
        return new ApiError(413, "invalid_request_error", null, "request_too_large",
                "the request body is larger than this server accepts (" + limit + " bytes)");
    }

    static ApiError queueFull(int limit) {
        return new ApiError(429, "rate_limit_error", null, "queue_full",
                "the server is busy: " + limit + " requests are already waiting (--max-queue); retry shortly");
    }

    static ApiError unavailable(String message) {
        return new ApiError(503, "server_error", null, "unavailable", message);
    }

    static ApiError internal(String message) {
        return new ApiError(500, "server_error", null, "internal_error", message);
    }

    /** The JSON body: {@code {"error": {...}}}. */
    JsonObject toJson() {
        JsonObject e = new JsonObject();
        e.addProperty("message", getMessage());
        e.addProperty("type", type);
        if (param == null) {
            e.add("param", JsonNull.INSTANCE);
        } else {
            e.addProperty("param", param);
        }
        if (code == null) {
            e.add("code", JsonNull.INSTANCE);
        } else {
            e.addProperty("code", code);
        }
        JsonObject o = new JsonObject();
        o.add("error", e);
        return o;
    }
}
