package dev.jgpt.model;

/** The sort model's vocabulary: letters A, B, C are tokens 0, 1, 2. */
public final class SortVocabulary {
    /** Number of tokens. */
    public static final int SIZE = 3;

    private SortVocabulary() {
    }

    /**
     * Letters to token ids.
     *
     * @throws InvalidInputException for an empty sequence or a letter other than A, B, C (upper or lower case)
     */
    public static int[] encode(String letters) {
        String s = letters.strip();
        if (s.isEmpty()) {
            throw new InvalidInputException("empty sequence: give letters A, B or C, e.g. CBABBC");
        }
        int[] ids = new int[s.length()];
        for (int i = 0; i < s.length(); i++) {
            char ch = Character.toUpperCase(s.charAt(i));
            if (ch < 'A' || ch > 'C') {
                throw new InvalidInputException(Words.quoteChar(s.codePointAt(i)) + " at position " + (i + 1) + " of "
                        + Words.quote(s) + " is not in the vocabulary: use only A, B and C");
            }
            ids[i] = ch - 'A';
        }
        return ids;
    }

    /** Token ids to letters. */
    public static String decode(int[] ids) {
        StringBuilder sb = new StringBuilder(ids.length);
        for (int id : ids) {
            if (id < 0 || id >= SIZE) {
                throw new InvalidInputException("token id " + id + " is not a sort token (0, 1, 2)");
            }
            sb.append((char) ('A' + id));
        }
        return sb.toString();
    }
}
