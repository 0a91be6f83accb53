package dev.jgpt.server;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The API key every {@code /v1} route requires, checked in constant time: both sides are hashed (SHA-256) and the
 * digests compared with {@link MessageDigest#isEqual}, so neither the key's length nor a common prefix shows in the
 * time a wrong guess takes.
 */
final class ApiKey {
    private final byte[] digest;

    ApiKey(String key) {
        this.digest = sha256(key);
    }

    /** Whether an {@code Authorization} header value is {@code Bearer <the key>}. */
    boolean accepts(String authorization) {
        String given = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorization.substring(7).strip() : "";
        return MessageDigest.isEqual(digest, sha256(given)) & !given.isEmpty();
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java", e);
        }
    }
}
