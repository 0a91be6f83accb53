package dev.jgpt.spark;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.sql.Row;

/**
 * Numbers the elements of an input 0, 1, 2, … in the order Spark reads it, and spreads the numbered rows over
 * partitions by ranges of those numbers, with one counting job and no sampling: what {@code zipWithIndex},
 * {@code count} and {@code repartitionByRange} would do in three jobs. Every partition then holds a range of rows,
 * so results sorted within partitions come out in input order.
 */
final class RowNumbers {
    /** Makes the row numbered {@code n} of an element that is kept. */
    @FunctionalInterface
    interface ToRow<T> extends java.io.Serializable {
        Row apply(T element, long n);
    }

    private RowNumbers() {
    }

    /** The rows of {@code source}'s kept elements, numbered by position, in {@code partitions} ranges (null: 4/core). */
    static <T> BatchInput.Prompts number(JavaRDD<T> source, Function<T, Boolean> keep, ToRow<T> toRow,
            Integer partitions, int cores) {
        List<long[]> counts = source.mapPartitions(it -> {
            long all = 0;
            long kept = 0;
            while (it.hasNext()) {
                all++;
                if (keep.call(it.next())) {
                    kept++;
                }
            }
            return List.of(new long[] {all, kept}).iterator();
        }).collect();
        long[] offsets = new long[counts.size()];
        long positions = 0;
        long total = 0;
        for (int i = 0; i < counts.size(); i++) {
            offsets[i] = positions;
            positions += counts.get(i)[0];
            total += counts.get(i)[1];
        }
        int parts = partitions != null ? partitions : (int) Math.max(1, Math.min(total, 4L * cores));
        long span = Math.max(1, positions);
        JavaRDD<Row> rows = source.mapPartitionsWithIndex((index, it) -> kept(it, keep, toRow, offsets[index]), true)
                .keyBy(r -> r.getLong(0))
                .partitionBy(new ByRange(parts, span))
                .values();
        return new BatchInput.Prompts(rows, total);
    }

    private static <T> Iterator<Row> kept(Iterator<T> it, Function<T, Boolean> keep, ToRow<T> toRow, long first) {
        return new Iterator<>() {
            private long n = first;
            private Row next;

            @Override
            public boolean hasNext() {
                try {
                    while (next == null && it.hasNext()) {
                        T x = it.next();
                        long at = n++;
                        if (keep.call(x)) {
                            next = toRow.apply(x, at);
                        }
                    }
                } catch (Exception e) {
                    throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
                }
                return next != null;
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Row r = next;
                next = null;
                return r;
            }
        };
    }

    /** Row n of {@code span} goes to partition n × parts / span. */
    static final class ByRange extends Partitioner {
        private static final long serialVersionUID = 1L;
        private final int parts;
        private final long span;

        ByRange(int parts, long span) {
            this.parts = parts;
            this.span = span;
        }

        @Override
        public int numPartitions() {
            return parts;
        }

        @Override
        public int getPartition(Object key) {
            long n = (Long) key;
            return (int) Math.min(parts - 1, Math.max(0, n * parts / span));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ByRange b && b.parts == parts && b.span == span;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(span) * 31 + parts;
        }
    }
}
