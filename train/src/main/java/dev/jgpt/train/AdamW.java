package dev.jgpt.train;

/**
 * AdamW as PyTorch's {@code torch.optim.AdamW}: decoupled weight decay {@code p ← p·(1 − lr·wd)} on the tensors that
 * decay, then {@code m ← β1·m + (1−β1)·g}, {@code v ← β2·v + (1−β2)·g²},
 * {@code p ← p − lr/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + eps)}.
 */
public final class AdamW {
    final float lr;
    final float beta1;
    final float beta2;
    final float eps;
    final float weightDecay;
    private final ParameterTensors m;
    private final ParameterTensors v;
    private int step;

    public AdamW(ParameterTensors params, float lr, float beta1, float beta2, float eps, float weightDecay) {
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.m = new ParameterTensors(params.config);
        this.v = new ParameterTensors(params.config);
    }

    /** One update of {@code params} from {@code grads}; weight decay only where {@link ParameterTensors#decays}. */
    public void step(ParameterTensors params, ParameterTensors grads) {
        step++;
        double bc1 = 1.0 - Math.pow(beta1, step);
        double bc2Sqrt = Math.sqrt(1.0 - Math.pow(beta2, step));
        float stepSize = (float) (lr / bc1);
        for (int i = 0; i < params.count(); i++) {
            float decay = params.decays(i) ? 1f - lr * weightDecay : 1f;
            for (int r = 0; r < params.data[i].length; r++) {
                float[] p = params.data[i][r];
                float[] g = grads.data[i][r];
                float[] mr = m.data[i][r];
                float[] vr = v.data[i][r];
                for (int j = 0; j < p.length; j++) {
                    float gj = g[j];
                    mr[j] = beta1 * mr[j] + (1f - beta1) * gj;
                    vr[j] = beta2 * vr[j] + (1f - beta2) * gj * gj;
                    float denom = (float) (Math.sqrt(vr[j]) / bc2Sqrt) + eps;
                    p[j] = p[j] * decay - stepSize * mr[j] / denom;
                }
            }
        }
    }
}
