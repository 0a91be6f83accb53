package dev.jgpt.train;

import dev.jgpt.model.GptConfig;

/**
 * GPT-2's forward and backward over float arrays, composed from the layer kernels as in llm.c's
 * {@code gpt2_forward} / {@code gpt2_backward}: the forward fills an {@link Activations}, the backward walks the same
 * steps in reverse, accumulating into parameter gradients. Stateless: parameters, activations and gradients are
 * passed in, so independent shards of a batch can run on different threads.
 */
public final class TrainableGpt {
    private final GptConfig cfg;

    public TrainableGpt(GptConfig cfg) {
        if (cfg.gelu != dev.jgpt.api.Gelu.TANH) {
            throw new IllegalArgumentException("the trainer implements GELU in the tanh form (gelu_new) only");
        }
        this.cfg = cfg;
    }

    public GptConfig config() {
        return cfg;
    }

    /**
     * The forward pass over B sequences of T tokens.
     *
     * @param ids     [B,T]
     * @param targets [B,T] (−1 = ignored), or null to skip the loss
     * @return the sum of the losses of the counted positions (0 without targets); logits and probs are in {@code a}
     */
    double forward(ParameterTensors p, Activations a, int[] ids, int[] targets, int b, int t) {
        int c = cfg.nEmbd;
        int n = b * t;
        Embedding.forward(a.encoded, ids, p.wte(), p.wpe(), b, t, c);
        float[] x = a.encoded;
        for (int l = 0; l < cfg.nLayer; l++) {
            LayerNorm.forward(a.ln1[l], a.ln1Mean[l], a.ln1Rstd[l], x, p.vec(l, ParameterTensors.LN1_W),
                    p.vec(l, ParameterTensors.LN1_B), n, c, cfg.layerNormEps);
            Linear.forward(a.qkv[l], a.ln1[l], p.mat(l, ParameterTensors.QKV_W), p.vec(l, ParameterTensors.QKV_B),
                    n, c, 3 * c);
            Attention.forward(a.atty[l], a.att[l], a.qkv[l], b, t, c, cfg.nHead);
            Linear.forward(a.attproj[l], a.atty[l], p.mat(l, ParameterTensors.ATTPROJ_W),
                    p.vec(l, ParameterTensors.ATTPROJ_B), n, c, c);
            Residual.forward(a.residual2[l], x, a.attproj[l], n * c);
            LayerNorm.forward(a.ln2[l], a.ln2Mean[l], a.ln2Rstd[l], a.residual2[l], p.vec(l, ParameterTensors.LN2_W),
                    p.vec(l, ParameterTensors.LN2_B), n, c, cfg.layerNormEps);
            Linear.forward(a.fch[l], a.ln2[l], p.mat(l, ParameterTensors.FC_W), p.vec(l, ParameterTensors.FC_B),
                    n, c, 4 * c);
            GeluTanh.forward(a.fchGelu[l], a.fchTanh[l], a.fch[l], n * 4 * c);
            Linear.forward(a.fcproj[l], a.fchGelu[l], p.mat(l, ParameterTensors.FCPROJ_W),
                    p.vec(l, ParameterTensors.FCPROJ_B), n, 4 * c, c);
            Residual.forward(a.residual3[l], a.residual2[l], a.fcproj[l], n * c);
            x = a.residual3[l];
        }
        LayerNorm.forward(a.lnf, a.lnfMean, a.lnfRstd, x, p.lnfW(), p.lnfB(), n, c, cfg.layerNormEps);
        LmHead.forward(a.logits, a.lnf, p.lmHead(), n, c, cfg.vocabSize);
        if (targets == null) {
            return 0;
        }
        return CrossEntropy.forward(a.probs, a.losses, a.logits, targets, n, cfg.vocabSize);
    }

    /**
     * The backward pass after {@link #forward} with targets: accumulates into {@code grads}.
     *
     * @param wT    the linear weights transposed ({@link TransposedWeights}), for the input gradients
     * @param g     activation gradients, same shapes as {@code a}; zeroed here first
     * @param dloss d(loss)/d(one position's loss): 1 / (positions counted in the whole batch)
     */
    void backward(ParameterTensors p, TransposedWeights wT, Activations a, Activations g, ParameterTensors grads,
            int[] ids, int[] targets, int b, int t, float dloss) {
        int c = cfg.nEmbd;
        int n = b * t;
        int v = cfg.vocabSize;
        g.zero();
        CrossEntropy.backward(g.logits, a.probs, targets, dloss, n, v);
        float[] last = a.residual3[cfg.nLayer - 1];
        float[] dlast = g.residual3[cfg.nLayer - 1];
        LmHead.backward(g.lnf, grads.lmHead(), g.logits, a.lnf, p.lmHead(), n, c, v);
        LayerNorm.backward(dlast, grads.lnfW(), grads.lnfB(), g.lnf, last, p.lnfW(), a.lnfMean, a.lnfRstd, n, c);
        for (int l = cfg.nLayer - 1; l >= 0; l--) {
            float[] x = l == 0 ? a.encoded : a.residual3[l - 1];
            float[] dx = l == 0 ? g.encoded : g.residual3[l - 1];
            Residual.backward(g.residual2[l], g.fcproj[l], g.residual3[l], n * c);
            Linear.backward(g.fchGelu[l], grads.mat(l, ParameterTensors.FCPROJ_W),
                    grads.vec(l, ParameterTensors.FCPROJ_B), g.fcproj[l], a.fchGelu[l],
                    wT.get(l, ParameterTensors.FCPROJ_W), n, 4 * c, c);
            GeluTanh.backward(g.fch[l], a.fch[l], a.fchTanh[l], g.fchGelu[l], n * 4 * c);
            Linear.backward(g.ln2[l], grads.mat(l, ParameterTensors.FC_W), grads.vec(l, ParameterTensors.FC_B),
                    g.fch[l], a.ln2[l], wT.get(l, ParameterTensors.FC_W), n, c, 4 * c);
            LayerNorm.backward(g.residual2[l], grads.vec(l, ParameterTensors.LN2_W),
                    grads.vec(l, ParameterTensors.LN2_B), g.ln2[l], a.residual2[l],
                    p.vec(l, ParameterTensors.LN2_W), a.ln2Mean[l], a.ln2Rstd[l], n, c);
            Residual.backward(dx, g.attproj[l], g.residual2[l], n * c);
            Linear.backward(g.atty[l], grads.mat(l, ParameterTensors.ATTPROJ_W),
                    grads.vec(l, ParameterTensors.ATTPROJ_B), g.attproj[l], a.atty[l],
                    wT.get(l, ParameterTensors.ATTPROJ_W), n, c, c);
            Attention.backward(g.qkv[l], g.atty[l], a.qkv[l], a.att[l], b, t, c, cfg.nHead);
            Linear.backward(g.ln1[l], grads.mat(l, ParameterTensors.QKV_W), grads.vec(l, ParameterTensors.QKV_B),
                    g.qkv[l], a.ln1[l], wT.get(l, ParameterTensors.QKV_W), n, c, 3 * c);
            LayerNorm.backward(dx, grads.vec(l, ParameterTensors.LN1_W), grads.vec(l, ParameterTensors.LN1_B),
                    g.ln1[l], x, p.vec(l, ParameterTensors.LN1_W), a.ln1Mean[l], a.ln1Rstd[l], n, c);
        }
        Embedding.backward(grads.wte(), grads.wpe(), g.encoded, ids, b, t, c);
    }

    /** Logits [B,T,V] for B sequences of T tokens (a convenience over {@link #forward} for tests and evaluation). */
    public float[] logits(ParameterTensors p, int[] ids, int b, int t) {
        Activations a = new Activations(cfg, b, t);
        forward(p, a, ids, null, b, t);
        return java.util.Arrays.copyOf(a.logits, b * t * cfg.vocabSize);
    }
}
