package dev.jgpt.model;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jgpt.api.KvCache;
import dev.jgpt.api.KvCacheSpec;
import dev.jgpt.model.io.ModelWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model keeps the KV cache of the last engine that finished for the next engine of the same shape, hands one cache
 * to one borrower at a time, and frees what it keeps (a freed heap cache refuses loads) when replaced or closed.
 */
class SpareCacheTest {
    @Test
    void theLastCacheGivenBackIsLentAgainForItsShapeAndFreedWhenReplacedOrClosed(@TempDir Path dir) throws Exception {
        GptConfig c = GptPreset.NANO_SORT.config();
        ModelWriter.write(dir, c, RandomWeights.generate(c, 1, true, 0f), "F32", "");
        KvCache kept;
        try (Gpt gpt = Gpt.load(dir, new RecordingBackend())) {
            KvCacheSpec spec = gpt.cacheSpec(16, 4);
            KvCache a = gpt.borrowCache(spec);
            KvCache b = gpt.borrowCache(spec);
            assertNotSame(a, b, "a cache still lent out is not lent twice");
            gpt.giveBack(a);
            assertSame(a, gpt.borrowCache(spec), "the cache given back is lent again for the same shape");
            gpt.giveBack(a);
            gpt.giveBack(a); // twice: still kept, not freed
            assertDoesNotThrow(() -> load(a), "a cache given back twice is still kept");
            gpt.giveBack(b);
            assertThrows(IllegalStateException.class, () -> load(a), "the cache kept before b is freed");
            KvCache other = gpt.borrowCache(gpt.cacheSpec(16, 5));
            assertNotSame(b, other, "another shape gets a new cache");
            assertThrows(IllegalStateException.class, () -> load(b), "the kept cache of another shape is freed");
            gpt.giveBack(other);
            kept = other;
            assertDoesNotThrow(() -> load(kept), "kept until the model closes");
        }
        assertThrows(IllegalStateException.class, () -> load(kept), "closing the model frees the kept cache");
    }

    private static void load(KvCache cache) {
        int width = cache.spec().width();
        cache.load(0, 0, new float[width], new float[width]);
    }
}
