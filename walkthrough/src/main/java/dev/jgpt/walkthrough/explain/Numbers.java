package dev.jgpt.walkthrough.explain;

import dev.jgpt.walkthrough.TraceRecorder;
import java.util.Locale;

/** Formatting of vectors and matrices: abbreviated, aligned, -inf shown as a masked dot. */
final class Numbers {
    /** Values shown of a long vector. */
    static final int VECTOR_HEAD = 6;

    private Numbers() {
    }

    static String num(double v) {
        if (v == Double.NEGATIVE_INFINITY) {
            return "·";
        }
        return String.format(Locale.ROOT, "%.3f", v);
    }

    /** The first few values of row {@code row} of a [.., C] tensor, with the width if abbreviated. */
    static String vector(TraceRecorder.Recorded t, int row) {
        return vector(t, row, VECTOR_HEAD);
    }

    /** The first {@code head} values of row {@code row}, then "… (C)" when there are more. */
    static String vector(TraceRecorder.Recorded t, int row, int head) {
        int c = t.shape()[t.shape().length - 1];
        int n = Math.min(head, c);
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : " ").append(pad(num(t.data()[row * c + i]), 6));
        }
        sb.append(n < c ? " … (" + c + ")]" : "]");
        return sb.toString();
    }

    /** Mean and biased variance of a row. */
    static double[] meanVariance(TraceRecorder.Recorded t, int row) {
        int c = t.shape()[t.shape().length - 1];
        double mean = 0;
        for (int i = 0; i < c; i++) {
            mean += t.data()[row * c + i];
        }
        mean /= c;
        double var = 0;
        for (int i = 0; i < c; i++) {
            double d = t.data()[row * c + i] - mean;
            var += d * d;
        }
        return new double[] {mean, var / c};
    }

    /** Euclidean norm of a row. */
    static double norm(TraceRecorder.Recorded t, int row) {
        int c = t.shape()[t.shape().length - 1];
        double s = 0;
        for (int i = 0; i < c; i++) {
            s += (double) t.data()[row * c + i] * t.data()[row * c + i];
        }
        return Math.sqrt(s);
    }

    static String pad(String s, int width) {
        int len = s.codePointCount(0, s.length());
        return len >= width ? s : " ".repeat(width - len) + s;
    }
}
