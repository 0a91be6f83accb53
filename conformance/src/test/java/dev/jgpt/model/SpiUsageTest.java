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
import dev.jgpt.api.AttentionBatch;
import dev.jgpt.api.KvCache;
import dev.jgpt.api.Tensor;
import dev.jgpt.api.TensorBackend;
import dev.jgpt.model.io.ModelWriter;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mockito.Mockito;

/** What the model asks of the SPI, pinned down with a Mockito spy around the reference backend. */
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

    /** One sequence's prefill (positions 0..2) and one decode step at position 3, through an engine-like batch. */
    @Test
    void oneDecodeStepRunsEachLayerOnceOnOnePositionAndKeepsDataOnTheBackend() throws Exception {
        TensorBackend backend = spy();
        try (Gpt gpt = load(backend); KvCache cache = backend.newKvCache(gpt.cacheSpec(16, 1))) {
            int[] blocks = {0};
            backend.release(gpt.forward(new int[] {1, 2, 3}, AttentionBatch.single(0, 3, blocks, 16), cache,
                    new int[] {2}, Trace.OFF)); // prefill
            Mockito.clearInvocations(backend);

            Tensor logits = gpt.forward(new int[] {4}, AttentionBatch.single(3, 1, blocks, 16), cache,
                    new int[] {0}, Trace.OFF); // one decode step

            assertArrayEquals(new int[] {1, 5}, logits.shape());
            int layers = CONFIG.nLayer;
            verify(backend, times(2)).gatherRows(any(), any()); // token and position rows
            verify(backend, times(2 * layers + 1)).layerNorm(any(), any(), any(), anyFloat());
            // qkv, attention projection, MLP in and out per layer, each on a single token
            verify(backend, times(4 * layers)).linear(argThat(x -> x.dim(0) == 1), any(), any());
            // the new token (position 3) attends through the cache, layer by layer
            for (int l = 0; l < layers; l++) {
                verify(backend).attention(argThat(q -> shape(q, 1, 3 * 8)),
                        argThat(b -> b.tokens() == 1 && b.position()[0] == 3), Mockito.same(cache), Mockito.eq(l));
            }
            verify(backend, times(layers)).gelu(any(), Mockito.eq(Gelu.TANH));
            verify(backend, times(1)).matmul(argThat(h -> shape(h, 1, 8)), argThat(w -> shape(w, 5, 8))); // tied head
            verify(backend, never()).toArray(any()); // nothing comes back to the host inside the step
            verify(backend, never()).fromArray(any(), any(int[].class));
        }
    }

    @Test
    void aRaggedBatchComputesLogitsOnlyForTheRowsAsked() throws Exception {
        TensorBackend backend = spy();
        try (Gpt gpt = load(backend); KvCache cache = backend.newKvCache(gpt.cacheSpec(4, 4))) {
            // sequence 0: three tokens at positions 0..2; sequence 1: two tokens at 0..1
            AttentionBatch batch = new AttentionBatch(new int[] {0, 0, 0, 1, 1}, new int[] {0, 1, 2, 0, 1},
                    new int[][] {{0}, {1}}, 4);
            Tensor logits = gpt.forward(new int[] {1, 2, 3, 4, 0}, batch, cache, new int[] {2, 4}, Trace.OFF);
            assertArrayEquals(new int[] {2, 5}, logits.shape());
            verify(backend).matmul(argThat(h -> shape(h, 2, 8)), argThat(w -> shape(w, 5, 8)));
        }
    }

    @Test
    void aBackendFailureSurfacesNamingTheCause() throws Exception {
        TensorBackend backend = spy();
        try (Gpt gpt = load(backend)) {
            doThrow(new IllegalStateException("device lost")).when(backend).attention(any(), any(), any(), anyInt());
            BackendFailureException e = assertThrows(BackendFailureException.class,
                    () -> gpt.generator().generate(new int[] {1, 2}, 3));
            assertTrue(e.getMessage().contains("device lost"), e.getMessage());
        }
    }
}
