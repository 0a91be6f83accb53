package dev.jgpt.model.io;

import dev.jgpt.api.DType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads and validates everything of a GGUF file before its data: header, metadata, tensor infos. Every count and
 * length is checked against its limit ({@link GgufFile}'s constants) and against the bytes left in the file before
 * anything is allocated for it, so a hostile file costs at most a small multiple of its own size.
 */
final class GgufParser {
    /** The header, parsed. */
    record Header(int version, GgufMetadata metadata, List<GgufTensorInfo> tensors, int alignment, long dataStart) {
    }

    private final GgufCursor in;

    private GgufParser(GgufCursor in) {
        this.in = in;
    }

    /** The header of the file {@code in} reads, from its first byte. */
    static Header parse(GgufCursor in, Path path) {
        return new GgufParser(in).header(path);
    }

    private Header header(Path path) {
        in.context = "the header";
        if (in.size() < 4 || in.i32() != GgufFile.MAGIC) {
            throw in.bad("not a GGUF file (it does not start with the bytes 'GGUF')");
        }
        long version = in.u32();
        if (version != 2 && version != 3) {
            throw in.bad("GGUF version " + version + " is not supported; jgpt reads little-endian GGUF v2 and v3"
                    + (version == 1 ? "" : " (a big-endian file reads as a huge version)"));
        }
        long tensorCount = count("tensor count", in.i64(), GgufFile.MAX_TENSORS, 32);
        long kvCount = count("metadata count", in.i64(), GgufFile.MAX_METADATA, 13);
        Map<String, GgufValue> kv = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            in.context = "metadata entry " + i;
            String key = in.string(GgufFile.MAX_KEY_BYTES, "metadata key " + i);
            in.context = "metadata key '" + key + "'";
            long typeId = in.u32();
            GgufValueType type = GgufValueType.of(typeId);
            if (type == null) {
                throw in.bad("metadata key '" + key + "' has value type " + typeId + ", which GGUF does not define");
            }
            if (kv.put(key, new GgufValue(type, value(type, 0, "metadata key '" + key + "'"))) != null) {
                throw in.bad("metadata key '" + key + "' appears twice");
            }
        }
        GgufMetadata metadata = new GgufMetadata(path, kv);
        int alignment = alignment(metadata);
        List<GgufTensorInfo> tensors = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (long i = 0; i < tensorCount; i++) {
            in.context = "tensor info " + i;
            GgufTensorInfo t = tensorInfo();
            if (!names.add(t.name())) {
                throw in.bad("tensor '" + t.name() + "' appears twice");
            }
            tensors.add(t);
        }
        long dataStart = alignUp(in.position(), alignment);
        return new Header((int) version, metadata, tensors, alignment, dataStart);
    }

    /** A count from the header, refused when above {@code max} or when the file cannot hold that many entries. */
    private long count(String what, long n, long max, int minBytesEach) {
        if (n < 0 || n > max) {
            throw in.bad("the " + what + " is " + Long.toUnsignedString(n) + ", more than the limit of " + max
                    + " (corrupt?)");
        }
        if (n * minBytesEach > in.remaining()) {
            throw in.bad("the " + what + " is " + n + ", but the " + in.remaining() + " bytes left in the file cannot "
                    + "hold that many (truncated or corrupt)");
        }
        return n;
    }

    private Object value(GgufValueType type, int depth, String what) {
        return switch (type) {
            case UINT8 -> (long) (in.i8() & 0xff);
            case INT8 -> (long) in.i8();
            case UINT16 -> (long) (in.i16() & 0xffff);
            case INT16 -> (long) in.i16();
            case UINT32 -> in.u32();
            case INT32 -> (long) in.i32();
            case UINT64, INT64 -> in.i64();
            case FLOAT32 -> in.f32();
            case FLOAT64 -> in.f64();
            case BOOL -> bool(what);
            case STRING -> in.string(GgufFile.MAX_STRING_BYTES, "a string of " + what);
            case ARRAY -> array(depth + 1, what);
        };
    }

    private boolean bool(String what) {
        byte b = in.i8();
        if (b != 0 && b != 1) {
            throw in.bad(what + " holds a bool of value " + b + " (only 0 and 1 are bools)");
        }
        return b == 1;
    }

    private GgufArray array(int depth, String what) {
        if (depth > GgufFile.MAX_ARRAY_DEPTH) {
            throw in.bad(what + " nests arrays deeper than " + GgufFile.MAX_ARRAY_DEPTH + " levels");
        }
        long typeId = in.u32();
        GgufValueType type = GgufValueType.of(typeId);
        if (type == null) {
            throw in.bad(what + " is an array of value type " + typeId + ", which GGUF does not define");
        }
        long n = in.i64();
        if (n < 0 || n > GgufFile.MAX_ARRAY_LENGTH) {
            throw in.bad(what + " is an array of " + Long.toUnsignedString(n) + " elements, more than the limit of "
                    + GgufFile.MAX_ARRAY_LENGTH + " (corrupt?)");
        }
        if (n * type.minBytes() > in.remaining()) {
            throw in.bad(what + " is an array of " + n + " " + type + " elements, more than the " + in.remaining()
                    + " bytes left in the file can hold (truncated or corrupt)");
        }
        int len = (int) n;
        Object elements = switch (type) {
            case UINT8, INT8, BOOL -> {
                byte[] a = new byte[len];
                for (int i = 0; i < len; i++) {
                    a[i] = type == GgufValueType.BOOL ? (byte) (bool(what) ? 1 : 0) : in.i8();
                }
                yield a;
            }
            case UINT16, INT16 -> {
                short[] a = new short[len];
                for (int i = 0; i < len; i++) {
                    a[i] = in.i16();
                }
                yield a;
            }
            case UINT32, INT32 -> {
                int[] a = new int[len];
                for (int i = 0; i < len; i++) {
                    a[i] = in.i32();
                }
                yield a;
            }
            case UINT64, INT64 -> {
                long[] a = new long[len];
                for (int i = 0; i < len; i++) {
                    a[i] = in.i64();
                }
                yield a;
            }
            case FLOAT32 -> {
                float[] a = new float[len];
                for (int i = 0; i < len; i++) {
                    a[i] = in.f32();
                }
                yield a;
            }
            case FLOAT64 -> {
                double[] a = new double[len];
                for (int i = 0; i < len; i++) {
                    a[i] = in.f64();
                }
                yield a;
            }
            case STRING -> {
                String[] a = new String[len];
                for (int i = 0; i < len; i++) {
                    a[i] = in.string(GgufFile.MAX_STRING_BYTES, "element " + i + " of " + what);
                }
                yield a;
            }
            case ARRAY -> {
                GgufArray[] a = new GgufArray[len];
                for (int i = 0; i < len; i++) {
                    a[i] = array(depth + 1, "element " + i + " of " + what);
                }
                yield a;
            }
        };
        return new GgufArray(type, elements, len);
    }

    private int alignment(GgufMetadata m) {
        if (!m.has(GgufFile.ALIGNMENT_KEY)) {
            return GgufFile.DEFAULT_ALIGNMENT;
        }
        long a = m.integer(GgufFile.ALIGNMENT_KEY);
        if (a < 1 || a > GgufFile.MAX_ALIGNMENT || (a & (a - 1)) != 0) {
            throw in.bad("metadata key '" + GgufFile.ALIGNMENT_KEY + "' is " + a + "; the alignment must be a power "
                    + "of two up to " + GgufFile.MAX_ALIGNMENT);
        }
        return (int) a;
    }

    private GgufTensorInfo tensorInfo() {
        String name = in.string(GgufFile.MAX_NAME_BYTES, in.context + "'s name");
        in.context = "the info of tensor '" + name + "'";
        long nDims = in.u32();
        if (nDims < 1 || nDims > GgufFile.MAX_DIMS) {
            throw in.bad("tensor '" + name + "' has " + nDims + " dimensions; GGUF tensors have 1 to "
                    + GgufFile.MAX_DIMS);
        }
        int[] ne = new int[(int) nDims];
        long count = 1;
        for (int i = 0; i < ne.length; i++) {
            long d = in.i64();
            if (d < 1 || d > Integer.MAX_VALUE) {
                throw in.bad("tensor '" + name + "' has dimension " + i + " of " + Long.toUnsignedString(d)
                        + " (each must be 1.." + Integer.MAX_VALUE + ")");
            }
            ne[i] = (int) d;
            count = count > Long.MAX_VALUE / d ? -1 : count * d;
            if (count < 0) {
                throw in.bad("tensor '" + name + "' has dims " + Arrays.toString(ne) + " too large to exist");
            }
        }
        long typeId = in.u32();
        DType dtype = GgmlType.dtype(typeId);
        if (dtype == null) {
            String type = GgmlType.name(typeId);
            throw in.bad("tensor '" + name + "' has ggml type " + (type != null ? type + ", which jgpt does not "
                    + "implement" : typeId + ", which is no ggml type jgpt knows") + " (" + GgmlType.LOADABLE + ")");
        }
        if (ne[0] % dtype.blockSize() != 0) {
            throw in.bad("tensor '" + name + "' is " + dtype + " with rows of " + ne[0] + " elements, not a multiple "
                    + "of its block of " + dtype.blockSize());
        }
        long bytes = count / dtype.blockSize();
        if (bytes > Long.MAX_VALUE / dtype.blockBytes()) {
            throw in.bad("tensor '" + name + "' has dims " + Arrays.toString(ne) + " too large to exist");
        }
        bytes *= dtype.blockBytes();
        long offset = in.i64();
        return new GgufTensorInfo(name, ne, dtype, offset, bytes);
    }

    static long alignUp(long n, int alignment) {
        return (n + alignment - 1) / alignment * alignment;
    }
}
