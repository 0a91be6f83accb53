package dev.jgpt.api;

/**
 * Makes one {@link TensorBackend} known to jgpt. Providers are found with {@link java.util.ServiceLoader}: a backend
 * jar lists its provider class in {@code META-INF/services/dev.jgpt.api.BackendProvider}. Users select a backend by
 * {@link #name()}; without a choice the available provider of highest {@link #rank()} wins.
 */
public interface BackendProvider {

    /** Short lower-case name users select the backend by, e.g. {@code plain}. */
    String name();

    /** Preference when the user names no backend: higher wins. */
    int rank();

    /** One line telling users what this backend is. */
    String description();

    /**
     * Why this backend cannot run here (a native library that does not load, say), or null when it can. Must not
     * throw; may be slow the first time (it may try to load the backend).
     */
    default String unavailableReason() {
        return null;
    }

    /** Builds the backend. Called only when {@link #unavailableReason()} is null. */
    TensorBackend create();
}
