package dev.jgpt.walkthrough.viz;

import java.util.Locale;

/**
 * Which indices of one tensor dimension a heat-map shows: {@code count} indices {@code start, start + step, ...}.
 * Large dimensions are strided (every k-th index), so every cell drawn is a real value at a real index.
 */
final class Axis {
    final int size;
    final int start;
    final int step;
    final int count;

    private Axis(int size, int start, int step, int count) {
        this.size = size;
        this.start = start;
        this.step = step;
        this.count = count;
    }

    /** Every index when {@code size <= max}, else every k-th from 0 (channels). */
    static Axis fromStart(int size, int max) {
        if (size <= max) {
            return new Axis(size, 0, 1, size);
        }
        int step = (size + max - 1) / max;
        return new Axis(size, 0, step, (size + step - 1) / step);
    }

    /** Every index when {@code size <= max}, else every k-th ending with the last (positions: the last one predicts). */
    static Axis endingAtLast(int size, int max) {
        if (size <= max) {
            return new Axis(size, 0, 1, size);
        }
        int step = (size + max - 1) / max;
        int count = (size - 1) / step + 1;
        return new Axis(size, size - 1 - step * (count - 1), step, count);
    }

    int index(int i) {
        return start + i * step;
    }

    boolean sameAs(Axis o) {
        return size == o.size && start == o.start && step == o.step && count == o.count;
    }

    boolean sampled() {
        return count < size;
    }

    /** E.g. "every 12th of 768 channels", or "all 48 channels". */
    String describe(String unit) {
        if (!sampled()) {
            return "all " + size + " " + unit;
        }
        return "every " + ordinal(step) + " of " + size + " " + unit;
    }

    static String ordinal(int n) {
        int mod100 = n % 100;
        String suffix = mod100 >= 11 && mod100 <= 13 ? "th"
                : n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th";
        return String.format(Locale.ROOT, "%d%s", n, suffix);
    }
}
