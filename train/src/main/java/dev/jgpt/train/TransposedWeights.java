package dev.jgpt.train;

import dev.jgpt.model.GptConfig;

/**
 * Each layer's linear weights transposed to [out][in], made once per step from the current parameters and shared
 * read-only by every shard's backward, so that {@link Linear#backward}'s input gradient runs along rows.
 */
final class TransposedWeights {
    private final float[][][] t;

    TransposedWeights(ParameterTensors p) {
        GptConfig cfg = p.config;
        t = new float[cfg.nLayer * ParameterTensors.PER_LAYER][][];
        for (int l = 0; l < cfg.nLayer; l++) {
            for (int which : new int[] {ParameterTensors.QKV_W, ParameterTensors.ATTPROJ_W, ParameterTensors.FC_W,
                ParameterTensors.FCPROJ_W}) {
                t[l * ParameterTensors.PER_LAYER + which] = Linear.transpose(p.mat(l, which));
            }
        }
    }

    /** Weight {@code which} of layer {@code l}, [out][in]. */
    float[][] get(int l, int which) {
        return t[l * ParameterTensors.PER_LAYER + which];
    }
}
