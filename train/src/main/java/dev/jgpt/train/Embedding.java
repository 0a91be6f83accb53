package dev.jgpt.train;

/** Token plus position embedding: {@code out[b,t,:] = wte[ids[b,t]] + wpe[t]}. */
final class Embedding {
    private Embedding() {
    }

    /**
     * @param out [B,T,C]
     * @param ids [B,T] token ids
     * @param wte [V][C]
     * @param wpe [P][C], P ≥ T
     */
    static void forward(float[] out, int[] ids, float[][] wte, float[][] wpe, int b, int t, int c) {
        for (int bt = 0; bt < b * t; bt++) {
            int o = bt * c;
            float[] tok = wte[ids[bt]];
            float[] pos = wpe[bt % t];
            for (int i = 0; i < c; i++) {
                out[o + i] = tok[i] + pos[i];
            }
        }
    }

    /** Accumulates dwte [V][C] and dwpe [P][C] from dout [B,T,C]. */
    static void backward(float[][] dwte, float[][] dwpe, float[] dout, int[] ids, int b, int t, int c) {
        for (int bt = 0; bt < b * t; bt++) {
            int o = bt * c;
            float[] tok = dwte[ids[bt]];
            float[] pos = dwpe[bt % t];
            for (int i = 0; i < c; i++) {
                tok[i] += dout[o + i];
                pos[i] += dout[o + i];
            }
        }
    }
}
