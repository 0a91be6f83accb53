package dev.jgpt.train;

import dev.jgpt.model.GptConfig;
import java.util.Map;

/**
 * GPT-2's forward in float64, written plainly and independently of the trainer's kernels: the oracle the gradient
 * checks differentiate numerically. Layouts as the trainer's (row-major, linear weights [in, out], lm_head [V, C]).
 */
final class Reference {
    private Reference() {
    }

    static double[] embedding(int[] ids, double[] wte, double[] wpe, int b, int t, int c) {
        double[] out = new double[b * t * c];
        for (int bb = 0; bb < b; bb++) {
            for (int tt = 0; tt < t; tt++) {
                for (int i = 0; i < c; i++) {
                    out[(bb * t + tt) * c + i] = wte[ids[bb * t + tt] * c + i] + wpe[tt * c + i];
                }
            }
        }
        return out;
    }

    static double[] layerNorm(double[] x, double[] w, double[] bias, int n, int c, double eps) {
        double[] out = new double[n * c];
        for (int r = 0; r < n; r++) {
            double mean = 0;
            for (int i = 0; i < c; i++) {
                mean += x[r * c + i] / c;
            }
            double var = 0;
            for (int i = 0; i < c; i++) {
                var += (x[r * c + i] - mean) * (x[r * c + i] - mean) / c;
            }
            for (int i = 0; i < c; i++) {
                out[r * c + i] = (x[r * c + i] - mean) / Math.sqrt(var + eps) * w[i] + bias[i];
            }
        }
        return out;
    }

    /** x [N,IC] · w [IC,OC] + bias [OC] (bias may be null). */
    static double[] linear(double[] x, double[] w, double[] bias, int n, int ic, int oc) {
        double[] out = new double[n * oc];
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < oc; j++) {
                double s = bias == null ? 0 : bias[j];
                for (int k = 0; k < ic; k++) {
                    s += x[r * ic + k] * w[k * oc + j];
                }
                out[r * oc + j] = s;
            }
        }
        return out;
    }

    /** qkv [B,T,3C] → heads' outputs concatenated [B,T,C]. */
    static double[] attention(double[] qkv, int b, int t, int c, int nh) {
        int a = c / nh;
        double[] out = new double[b * t * c];
        for (int bb = 0; bb < b; bb++) {
            for (int h = 0; h < nh; h++) {
                for (int t1 = 0; t1 < t; t1++) {
                    double[] score = new double[t1 + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int t2 = 0; t2 <= t1; t2++) {
                        double s = 0;
                        for (int i = 0; i < a; i++) {
                            s += qkv[(bb * t + t1) * 3 * c + h * a + i] * qkv[(bb * t + t2) * 3 * c + c + h * a + i];
                        }
                        score[t2] = s / Math.sqrt(a);
                        max = Math.max(max, score[t2]);
                    }
                    double sum = 0;
                    for (int t2 = 0; t2 <= t1; t2++) {
                        score[t2] = Math.exp(score[t2] - max);
                        sum += score[t2];
                    }
                    for (int t2 = 0; t2 <= t1; t2++) {
                        for (int i = 0; i < a; i++) {
                            out[(bb * t + t1) * c + h * a + i] += score[t2] / sum
                                    * qkv[(bb * t + t2) * 3 * c + 2 * c + h * a + i];
                        }
                    }
                }
            }
        }
        return out;
    }

    static double[] gelu(double[] x) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = 0.5 * x[i] * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x[i] + 0.044715 * Math.pow(x[i], 3))));
        }
        return out;
    }

    static double[] add(double[] a, double[] b) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] + b[i];
        }
        return out;
    }

    /** x [N,C], w [V,C] → [N,V]. */
    static double[] lmHead(double[] x, double[] w, int n, int c, int v) {
        double[] out = new double[n * v];
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < v; j++) {
                for (int i = 0; i < c; i++) {
                    out[r * v + j] += x[r * c + i] * w[j * c + i];
                }
            }
        }
        return out;
    }

    /** Mean of −log softmax(logits)[target] over the positions whose target is not −1. */
    static double crossEntropy(double[] logits, int[] targets, int n, int v) {
        double total = 0;
        int counted = 0;
        for (int r = 0; r < n; r++) {
            if (targets[r] < 0) {
                continue;
            }
            double sum = 0;
            for (int j = 0; j < v; j++) {
                sum += Math.exp(logits[r * v + j]);
            }
            total += Math.log(sum) - logits[r * v + targets[r]];
            counted++;
        }
        return total / counted;
    }

    /** The logits of the whole model; {@code p} maps the Hugging Face names to row-major tensors. */
    static double[] logits(GptConfig cfg, Map<String, double[]> p, int[] ids, int b, int t) {
        int c = cfg.nEmbd;
        int n = b * t;
        double eps = cfg.layerNormEps;
        double[] x = embedding(ids, p.get("wte.weight"), p.get("wpe.weight"), b, t, c);
        for (int l = 0; l < cfg.nLayer; l++) {
            String h = "h." + l + ".";
            double[] ln1 = layerNorm(x, p.get(h + "ln_1.weight"), p.get(h + "ln_1.bias"), n, c, eps);
            double[] qkv = linear(ln1, p.get(h + "attn.c_attn.weight"), p.get(h + "attn.c_attn.bias"), n, c, 3 * c);
            double[] y = attention(qkv, b, t, c, cfg.nHead);
            x = add(x, linear(y, p.get(h + "attn.c_proj.weight"), p.get(h + "attn.c_proj.bias"), n, c, c));
            double[] ln2 = layerNorm(x, p.get(h + "ln_2.weight"), p.get(h + "ln_2.bias"), n, c, eps);
            double[] fc = gelu(linear(ln2, p.get(h + "mlp.c_fc.weight"), p.get(h + "mlp.c_fc.bias"), n, c, 4 * c));
            x = add(x, linear(fc, p.get(h + "mlp.c_proj.weight"), p.get(h + "mlp.c_proj.bias"), n, 4 * c, c));
        }
        double[] lnf = layerNorm(x, p.get("ln_f.weight"), p.get("ln_f.bias"), n, c, eps);
        return lmHead(lnf, p.get("lm_head.weight"), n, c, cfg.vocabSize);
    }

    static double loss(GptConfig cfg, Map<String, double[]> p, int[] ids, int[] targets, int b, int t) {
        return crossEntropy(logits(cfg, p, ids, b, t), targets, b * t, cfg.vocabSize);
    }
}
