package dev.jgpt.backend.nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.api.BackendProvider;
import dev.jgpt.api.Backends;
import dev.jgpt.api.TensorBackend;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class Nd4jBackendProviderTest {

    @Test
    void serviceLoaderFindsTheNd4jProviderAndItIsAvailable() {
        List<BackendProvider> found = ServiceLoader.load(BackendProvider.class).stream()
                .map(ServiceLoader.Provider::get).filter(p -> p.name().equals("nd4j")).collect(Collectors.toList());
        assertEquals(1, found.size());
        BackendProvider p = found.get(0);
        assertEquals(50, p.rank());
        assertFalse(p.description().isBlank());
        assertFalse(p.description().contains("\n"));
        assertNull(p.unavailableReason());
        assertNull(p.unavailableReason(), "cached: same answer the second time");
        try (TensorBackend backend = p.create()) {
            assertInstanceOf(Nd4jBackend.class, backend);
            assertFalse(backend.batchInvariant(), "OpenBLAS blocks by problem size");
            // [1, 2] by w [out 1, in 2]: 1·1 + 2·2
            assertArrayEquals(new float[] {5f}, backend.toArray(backend.matmul(
                    backend.fromArray(new float[] {1, 2}, 1, 2), backend.fromArray(new float[] {1, 2}, 1, 2))));
        }
    }

    @Test
    void backendsSelectsItByName() {
        assertEquals("nd4j", Backends.discover().require("nd4j").name());
        assertTrue(Backends.discover().availableNames().contains("nd4j"));
    }
}
