package dev.jgpt.api;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/** The backends on the class path, found by {@link ServiceLoader}, best rank first. */
public final class Backends {
    private final List<BackendProvider> providers;

    private Backends(List<BackendProvider> providers) {
        List<BackendProvider> sorted = new ArrayList<>(providers);
        sorted.sort(Comparator.comparingInt(BackendProvider::rank).reversed().thenComparing(BackendProvider::name));
        this.providers = List.copyOf(sorted);
    }

    /** Every provider registered on the class path of this class's loader. */
    public static Backends discover() {
        List<BackendProvider> found = new ArrayList<>();
        ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader()).forEach(found::add);
        return new Backends(found);
    }

    /** A fixed list, for tests and embedding. */
    public static Backends of(List<BackendProvider> providers) {
        return new Backends(providers);
    }

    /** All providers, best rank first. */
    public List<BackendProvider> all() {
        return providers;
    }

    /** The providers that can run here, best rank first. */
    public List<BackendProvider> available() {
        return providers.stream().filter(p -> whyUnavailable(p) == null).collect(Collectors.toList());
    }

    /**
     * The provider's {@link BackendProvider#unavailableReason()}, with a provider that throws (a broken native
     * library, a class missing from the class path) counted as unavailable rather than crashing discovery.
     */
    public static String whyUnavailable(BackendProvider p) {
        try {
            return p.unavailableReason();
        } catch (RuntimeException | LinkageError e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    /** The names of the available providers, for error messages. */
    public String availableNames() {
        List<String> names = available().stream().map(BackendProvider::name).collect(Collectors.toList());
        return names.isEmpty() ? "(none)" : String.join(", ", names);
    }

    /** The provider of that name if it can run here; otherwise a {@link BackendException} naming the alternatives. */
    public BackendProvider require(String name) {
        for (BackendProvider p : providers) {
            if (p.name().equals(name)) {
                String why = whyUnavailable(p);
                if (why != null) {
                    throw new BackendException("backend '" + name + "' is unavailable here (" + why
                            + "); available: " + availableNames());
                }
                return p;
            }
        }
        throw new BackendException("unknown backend '" + name + "'; available: " + availableNames());
    }

    /** The available provider of best rank. */
    public BackendProvider best() {
        List<BackendProvider> a = available();
        if (a.isEmpty()) {
            throw new BackendException("no backend is available; found: "
                    + providers.stream().map(p -> p.name() + " (" + whyUnavailable(p) + ")")
                    .collect(Collectors.joining(", ")));
        }
        return a.get(0);
    }
}
