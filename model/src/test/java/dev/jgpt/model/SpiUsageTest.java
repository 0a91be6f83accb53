package dev.jgpt.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyFloat;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.AdditionalAnswers.delegatesTo;

import dev.jgpt.api.Gelu;
import dev.jgpt.api.KvCache;
import dev.jgpt.api.Tensor;
import dev.jgpt.api.TensorBackend;
import dev.jgpt.model.io.ModelWriter;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mockito.Mockito;

/** What the model asks of the SPI, pinned down with a Mockito spy around the plain backend. */
class SpiUsageTest {
    static final GptConfig CONFIG = new GptConfig(2, 2, 8, 5, 9, 1e-5f, Gelu.TANH, true);

    @TempDir
    Path tmp;

    TensorBackend spy() {
        TensorBackend plain = TestSupport.plain();
        return mock(TensorBackend.class, delegatesTo(plain));
    }

    Gpt load(TensorBackend backend) throws Exception {
        ModelWriter.write(tmp, CONFIG, RandomWeights.generate(CONFIG, 9, true, 0.1f), "F32", "");
        return Gpt.load(tmp, backend);
    }

    static boolean shape(Tensor t, int... s) {
        return t != null && Arrays.equals(t.shape(), s);
    }

    @Test
    void oneDecodeStepRunsEachLayerOnceOnOnePositionAndKeepsDataOnTheBackend() throws Exception {
        TensorBackend backend = spy();
        try (Gpt gpt = load(backend)) {
            KvCache[] caches = gpt.newCaches(1);
            backend.release(gpt.forward(new int[] {1, 2, 3}, 1, 3, caches, false, Trace.OFF)); // prefill
            Mockito.clearInvocations(backend);

            Tensor logits = gpt.forward(new int[] {4}, 1, 1, caches, false, Trace.OFF); // one decode step

            assertArrayEquals(new int[] {1, 1, 5}, logits.shape());
            int layers = CONFIG.nLayer;
            verify(backend, times(2)).gatherRows(any(), any(), any(int[].class)); // token and position rows
            verify(backend, times(2 * layers + 1)).layerNorm(any(), any(), any(), anyFloat());
            // qkv, attention projection, MLP in and out per layer, each on a single position
            verify(backend, times(4 * layers)).linear(argThat(x -> x.dim(1) == 1), any(), any());
            // the new query attends over all 4 cached positions, with the cache's offset 3
            verify(backend, times(layers)).attention(argThat(q -> shape(q, 1, 2, 1, 4)),
                    argThat(k -> shape(k, 1, 2, 4, 4)), any(), anyFloat(), Mockito.eq(3));
            verify(backend, never()).attentionScores(any(), any(), anyFloat(), anyInt()); // fused path when untraced
            verify(backend, times(layers)).gelu(any(), Mockito.eq(Gelu.TANH));
            verify(backend, times(1)).matmulTransposed(argThat(h -> shape(h, 1, 1, 8)), any()); // tied head over wte
            verify(backend, never()).toArray(any()); // nothing comes back to the host inside the step
            verify(backend, never()).fromArray(any(), any(int[].class));
            assertEquals(4, caches[0].length());
        }
    }

    @Test
    void prefillComputesLogitsForTheLastPositionOnly() throws Exception {
        TensorBackend backend = spy();
        try (Gpt gpt = load(backend)) {
            Tensor logits = gpt.forward(new int[] {1, 2, 3, 4, 0, 1}, 2, 3, gpt.newCaches(2), false, Trace.OFF);
            assertArrayEquals(new int[] {2, 1, 5}, logits.shape());
            verify(backend).matmulTransposed(argThat(h -> shape(h, 2, 1, 8)), any());
        }
    }

    @Test
    void aBackendFailureSurfacesNamingTheBackendAndTheCause() throws Exception {
        TensorBackend backend = spy();
        try (Gpt gpt = load(backend)) {
            doThrow(new IllegalStateException("device lost")).when(backend)
                    .attention(any(), any(), any(), anyFloat(), anyInt());
            Mockito.when(backend.name()).thenReturn("flaky");
            BackendFailureException e = assertThrows(BackendFailureException.class,
                    () -> gpt.generator().generate(new int[] {1, 2}, 3));
            assertTrue(e.getMessage().contains("'flaky'") && e.getMessage().contains("device lost"),
                    e.getMessage());
        }
    }
}
