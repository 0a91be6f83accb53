package dev.jgpt.train;

import dev.jgpt.model.GptConfig;
import java.util.Arrays;

/**
 * What the forward keeps for the backward, for up to B sequences of up to T positions (as llm.c's ActivationTensors).
 * A second instance of the same shapes holds the gradients of these activations during the backward.
 * <pre>
 *   encoded [B,T,C]                          wte[ids] + wpe
 *   per layer l:
 *     ln1 [B,T,C], ln1Mean [B,T], ln1Rstd [B,T]
 *     qkv [B,T,3C]                           ln1 · c_attn
 *     att [B,H,T,T]                          attention weights after softmax
 *     atty [B,T,C]                           heads' outputs, concatenated
 *     attproj [B,T,C]                        atty · attn.c_proj
 *     residual2 [B,T,C]                      input + attproj
 *     ln2 [B,T,C], ln2Mean [B,T], ln2Rstd [B,T]
 *     fch [B,T,4C], fchGelu [B,T,4C]         ln2 · c_fc, then GELU
 *     fchTanh [B,T,4C]                       the tanh inside GELU, kept for its backward
 *     fcproj [B,T,C]                         fchGelu · mlp.c_proj
 *     residual3 [B,T,C]                      residual2 + fcproj: the layer's output
 *   lnf [B,T,C], lnfMean [B,T], lnfRstd [B,T]
 *   logits [B,T,V], probs [B,T,V], losses [B,T]
 * </pre>
 */
final class Activations {
    final int maxB;
    final int maxT;
    final float[] encoded;
    final float[][] ln1, ln1Mean, ln1Rstd, qkv, att, atty, attproj, residual2, ln2, ln2Mean, ln2Rstd, fch, fchGelu,
            fchTanh, fcproj, residual3;
    final float[] lnf, lnfMean, lnfRstd, logits, probs, losses;

    Activations(GptConfig cfg, int maxB, int maxT) {
        this.maxB = maxB;
        this.maxT = maxT;
        int bt = maxB * maxT;
        int c = cfg.nEmbd;
        int l = cfg.nLayer;
        encoded = new float[bt * c];
        ln1 = new float[l][bt * c];
        ln1Mean = new float[l][bt];
        ln1Rstd = new float[l][bt];
        qkv = new float[l][bt * 3 * c];
        att = new float[l][maxB * cfg.nHead * maxT * maxT];
        atty = new float[l][bt * c];
        attproj = new float[l][bt * c];
        residual2 = new float[l][bt * c];
        ln2 = new float[l][bt * c];
        ln2Mean = new float[l][bt];
        ln2Rstd = new float[l][bt];
        fch = new float[l][bt * 4 * c];
        fchGelu = new float[l][bt * 4 * c];
        fchTanh = new float[l][bt * 4 * c];
        fcproj = new float[l][bt * c];
        residual3 = new float[l][bt * c];
        lnf = new float[bt * c];
        lnfMean = new float[bt];
        lnfRstd = new float[bt];
        logits = new float[bt * cfg.vocabSize];
        probs = new float[bt * cfg.vocabSize];
        losses = new float[bt];
    }

    /** Sets everything to zero (the gradient instance before each backward: the kernels accumulate). */
    void zero() {
        Arrays.fill(encoded, 0f);
        for (float[][] perLayer : new float[][][] {ln1, ln1Mean, ln1Rstd, qkv, att, atty, attproj, residual2, ln2,
            ln2Mean, ln2Rstd, fch, fchGelu, fchTanh, fcproj, residual3}) {
            for (float[] a : perLayer) {
                Arrays.fill(a, 0f);
            }
        }
        for (float[] a : new float[][] {lnf, lnfMean, lnfRstd, logits, probs, losses}) {
            Arrays.fill(a, 0f);
        }
    }
}
