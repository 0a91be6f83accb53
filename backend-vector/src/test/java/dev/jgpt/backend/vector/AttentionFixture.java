package dev.jgpt.backend.vector;

import dev.jgpt.api.AttentionBatch;
import dev.jgpt.api.KvCache;
import dev.jgpt.api.KvCacheSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * Four sequences in one paged cache, for {@link VectorBackendTest}: sequence 0 with 5 positions cached and 1 new,
 * sequence 1 with 7 new, sequence 2 with 18 cached (across a 16-position block boundary) and 3 new, sequence 3 with 70
 * cached and 2 new (five 16-position blocks: the scores' four-blocks-at-a-time path and its remainder). Their blocks
 * are shuffled and interleaved in the cache; every token's qkv row (uniform in [−1, 1]) is fixed, so any token can be
 * attended again, alone or in any batch, over the same cache contents.
 */
final class AttentionFixture {
    /** Per sequence: positions cached before the step, new in the step. */
    private static final int[][] SEQUENCES = {{5, 1}, {0, 7}, {18, 3}, {70, 2}};

    final VectorBackend backend;
    final int heads;
    final int a;
    final int c;
    final int bs;
    final KvCache cache;
    final int[][] blocks = new int[SEQUENCES.length][];
    final float[][][] qkv = new float[SEQUENCES.length][][];

    AttentionFixture(VectorBackend backend, int heads, int a, int bs, SplittableRandom rnd) {
        this.backend = backend;
        this.heads = heads;
        this.a = a;
        this.c = heads * a;
        this.bs = bs;
        int total = 0;
        for (int[] s : SEQUENCES) {
            total += (s[0] + s[1] + bs - 1) / bs;
        }
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < total + 2; i++) {
            ids.add(i);
        }
        Collections.shuffle(ids, new Random(bs));
        int next = 0;
        for (int s = 0; s < SEQUENCES.length; s++) {
            int len = SEQUENCES[s][0] + SEQUENCES[s][1];
            blocks[s] = new int[(len + bs - 1) / bs];
            for (int i = 0; i < blocks[s].length; i++) {
                blocks[s][i] = ids.get(next++);
            }
            qkv[s] = new float[len][3 * c];
            for (int p = 0; p < len; p++) {
                for (int i = 0; i < 3 * c; i++) {
                    qkv[s][p][i] = (float) rnd.nextDouble(-1, 1);
                }
            }
        }
        cache = backend.newKvCache(new KvCacheSpec(2, heads, a, bs, total + 2));
    }

    /** attention (layer 1 of 2) of the tokens, (sequence, position) pairs in that order: [n, C]. */
    float[] attend(int[][] tokens) {
        int n = tokens.length;
        float[] rows = new float[n * 3 * c];
        int[] seq = new int[n];
        int[] pos = new int[n];
        for (int t = 0; t < n; t++) {
            seq[t] = tokens[t][0];
            pos[t] = tokens[t][1];
            System.arraycopy(qkv[seq[t]][pos[t]], 0, rows, t * 3 * c, 3 * c);
        }
        AttentionBatch batch = new AttentionBatch(seq, pos, blocks, bs);
        return backend.toArray(backend.attention(backend.fromArray(rows, n, 3 * c), batch, cache, 1));
    }

    /** The exact attention of token (s, p) over positions 0 … p of s, head by head, in float64: [C]. */
    double[] exact(int s, int p) {
        double[] y = new double[c];
        double scale = 1 / Math.sqrt(a);
        for (int h = 0; h < heads; h++) {
            double[] e = new double[p + 1];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j <= p; j++) {
                double dot = 0;
                for (int d = 0; d < a; d++) {
                    dot += (double) qkv[s][p][h * a + d] * qkv[s][j][c + h * a + d];
                }
                e[j] = dot * scale;
                max = Math.max(max, e[j]);
            }
            double z = 0;
            for (int j = 0; j <= p; j++) {
                e[j] = Math.exp(e[j] - max);
                z += e[j];
            }
            for (int j = 0; j <= p; j++) {
                for (int d = 0; d < a; d++) {
                    y[h * a + d] += e[j] / z * qkv[s][j][2 * c + h * a + d];
                }
            }
        }
        return y;
    }

    /** The cached prefixes: sequence 2's positions, then sequence 0's and 3's (sequence 1 has none). */
    int[][] prefill() {
        List<int[]> tokens = new ArrayList<>();
        for (int s : new int[] {2, 0, 3}) {
            for (int p = 0; p < SEQUENCES[s][0]; p++) {
                tokens.add(new int[] {s, p});
            }
        }
        return tokens.toArray(new int[0][]);
    }

    /** The new tokens of all four sequences, interleaved: one step of a ragged batch. */
    int[][] step() {
        List<int[]> tokens = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            for (int s = SEQUENCES.length - 1; s >= 0; s--) {
                if (i < SEQUENCES[s][1]) {
                    tokens.add(new int[] {s, SEQUENCES[s][0] + i});
                }
            }
        }
        return tokens.toArray(new int[0][]);
    }
}
