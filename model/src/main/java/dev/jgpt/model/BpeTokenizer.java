package dev.jgpt.model;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A byte-level BPE tokenizer (GPT-2's kind) built from a vocabulary and a merge list, as a GGUF file carries them in
 * {@code tokenizer.ggml.tokens} and {@code tokenizer.ggml.merges}. Text is split by GPT-2's pre-tokenizer pattern;
 * each piece's UTF-8 bytes become one token each (written as {@link ByteLevel} characters), and then adjacent tokens
 * are merged, the pair of lowest merge rank (its index in the merge list) first and the leftmost of equal ones, until
 * no adjacent pair has a merge. Special tokens get no special treatment: {@code <|endoftext|>} in the text is encoded
 * as ordinary text (like JTokkit's {@code encodeOrdinary}).
 *
 * <p>Immutable, so safe to share between threads.
 */
public final class BpeTokenizer implements Tokenizer {
    /**
     * GPT-2's pre-tokenizer (its {@code encoder.py}): contractions, letters with an optional leading space, numbers
     * likewise, other symbols likewise, then runs of whitespace (a run before a non-space leaves its last space to the
     * next piece). Unicode classes throughout, as JTokkit's {@code r50k_base} compiles it.
     */
    static final Pattern PIECES = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            Pattern.UNICODE_CHARACTER_CLASS);

    private final String[] tokens;
    private final int[] byteToken = new int[256];
    /** (left id, right id) as one long → the merge's rank; the merged token is {@link #merged}[rank]. */
    private final Map<Long, Integer> ranks = new HashMap<>();
    private final int[] merged;
    private final int bos;
    private final int eos;

    /**
     * A tokenizer of these tokens (id = index) and merges ({@code "left right"}, rank = index).
     *
     * @param source what the arrays come from, for messages (e.g. {@code model.gguf})
     * @param bos    the beginning-of-text token, or −1
     * @param eos    the end-of-text token, or −1
     * @throws dev.jgpt.model.ModelLoadException when the arrays do not make a byte-level BPE: a byte without its
     *         token, a merge that is not two tokens making a third, an id outside the vocabulary
     */
    public BpeTokenizer(String source, String[] tokens, String[] merges, int bos, int eos) {
        this.tokens = tokens.clone();
        Map<String, Integer> ids = new HashMap<>(tokens.length * 2);
        for (int i = 0; i < tokens.length; i++) {
            ids.putIfAbsent(tokens[i], i);
        }
        for (int b = 0; b < 256; b++) {
            Integer id = ids.get(String.valueOf(ByteLevel.toChar(b)));
            if (id == null) {
                throw new ModelLoadException(source + ": the vocabulary has no token for byte " + b + " ('"
                        + ByteLevel.toChar(b) + "'); a byte-level BPE needs all 256");
            }
            byteToken[b] = id;
        }
        merged = new int[merges.length];
        for (int r = 0; r < merges.length; r++) {
            String m = merges[r];
            int space = m.indexOf(' ');
            if (space <= 0 || space == m.length() - 1 || m.indexOf(' ', space + 1) >= 0) {
                throw new ModelLoadException(source + ": merge " + r + " '" + m + "' is not two tokens separated "
                        + "by one space");
            }
            Integer left = ids.get(m.substring(0, space));
            Integer right = ids.get(m.substring(space + 1));
            Integer both = ids.get(m.substring(0, space) + m.substring(space + 1));
            if (left == null || right == null || both == null) {
                throw new ModelLoadException(source + ": merge " + r + " '" + m + "' names "
                        + (left == null || right == null ? "a token" : "a result") + " the vocabulary does not have");
            }
            merged[r] = both;
            ranks.putIfAbsent(pair(left, right), r);
        }
        this.bos = checkedId(source, "bos", bos);
        this.eos = checkedId(source, "eos", eos);
    }

    private int checkedId(String source, String what, int id) {
        if (id < -1 || id >= tokens.length) {
            throw new ModelLoadException(source + ": the " + what + " token id " + id + " is outside the vocabulary "
                    + "of " + tokens.length + " tokens");
        }
        return id;
    }

    private static long pair(int left, int right) {
        return ((long) left << 32) | (right & 0xffffffffL);
    }

    /** The vocabulary size. */
    public int size() {
        return tokens.length;
    }

    /** The beginning-of-text token id, or −1 when the file names none. */
    public int bos() {
        return bos;
    }

    /** The end-of-text token id, or −1 when the file names none. */
    public int eos() {
        return eos;
    }

    @Override
    public int[] encode(String text) {
        IntList out = new IntList();
        Matcher m = PIECES.matcher(text);
        while (m.find()) {
            encodePiece(m.group().getBytes(StandardCharsets.UTF_8), out);
        }
        return out.toArray();
    }

    /** One piece's tokens: its bytes, merged as far as the merges go. */
    private void encodePiece(byte[] bytes, IntList out) {
        int n = bytes.length;
        int[] id = new int[n];
        int[] next = new int[n];
        int[] prev = new int[n];
        for (int i = 0; i < n; i++) {
            id[i] = byteToken[bytes[i] & 0xff];
            next[i] = i + 1 < n ? i + 1 : -1;
            prev[i] = i - 1;
        }
        // candidate merges: {rank, left position, left id, right id}; stale ones are skipped when popped
        PriorityQueue<int[]> queue = new PriorityQueue<>((a, b) -> a[0] != b[0] ? Integer.compare(a[0], b[0])
                : Integer.compare(a[1], b[1]));
        for (int i = 0; i + 1 < n; i++) {
            offer(queue, i, id[i], id[i + 1]);
        }
        while (!queue.isEmpty()) {
            int[] c = queue.poll();
            int left = c[1];
            int right = next[left];
            if (id[left] != c[2] || right < 0 || id[right] != c[3]) {
                continue; // the pair changed since it was queued
            }
            id[left] = merged[c[0]];
            id[right] = -1;
            next[left] = next[right];
            if (next[right] >= 0) {
                prev[next[right]] = left;
                offer(queue, left, id[left], id[next[left]]);
            }
            if (prev[left] >= 0) {
                offer(queue, prev[left], id[prev[left]], id[left]);
            }
        }
        for (int i = 0; i >= 0 && n > 0; i = next[i]) {
            out.add(id[i]);
        }
    }

    private void offer(PriorityQueue<int[]> queue, int left, int leftId, int rightId) {
        Integer rank = ranks.get(pair(leftId, rightId));
        if (rank != null) {
            queue.add(new int[] {rank, left, leftId, rightId});
        }
    }

    @Override
    public byte[] bytes(int id) {
        if (id < 0 || id >= tokens.length) {
            throw new InvalidInputException("token id " + id + " is outside the vocabulary [0, " + tokens.length
                    + ")");
        }
        String t = tokens[id];
        ByteArrayOutputStream out = new ByteArrayOutputStream(t.length());
        for (int i = 0; i < t.length(); i++) {
            int b = ByteLevel.toByte(t.charAt(i));
            if (b >= 0) {
                out.write(b);
            } else { // a character outside the byte alphabet (an added token): its own UTF-8
                int cp = t.codePointAt(i);
                out.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
                i += Character.charCount(cp) - 1;
            }
        }
        return out.toByteArray();
    }

    /** A growable int array. */
    private static final class IntList {
        private int[] a = new int[16];
        private int n;

        void add(int v) {
            if (n == a.length) {
                a = Arrays.copyOf(a, n * 2);
            }
            a[n++] = v;
        }

        int[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }
}
