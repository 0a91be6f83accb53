package dev.jgpt.model;

/**
 * GPT-2's bytes ↔ unicode mapping, which lets a byte-level BPE vocabulary be written as printable text: the bytes that
 * are printable Latin-1 ({@code !}..{@code ~}, {@code ¡}..{@code ¬}, {@code ®}..{@code ÿ}) stand for themselves, and
 * the other 68 (controls, space, DEL, NBSP, soft hyphen), in order, for U+0100 onwards (so a space is {@code Ġ},
 * U+0120, and a newline {@code Ċ}, U+010A).
 */
final class ByteLevel {
    private static final char[] TO_CHAR = new char[256];
    private static final int[] TO_BYTE = new int[0x180];

    static {
        java.util.Arrays.fill(TO_BYTE, -1);
        int next = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
            char c = printable ? (char) b : (char) (0x100 + next++);
            TO_CHAR[b] = c;
            TO_BYTE[c] = b;
        }
    }

    private ByteLevel() {
    }

    /** The character that stands for byte {@code b} (0..255). */
    static char toChar(int b) {
        return TO_CHAR[b & 0xff];
    }

    /** The byte character {@code c} stands for, or −1 when it stands for none. */
    static int toByte(char c) {
        return c < TO_BYTE.length ? TO_BYTE[c] : -1;
    }
}
