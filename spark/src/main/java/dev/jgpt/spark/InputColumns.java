package dev.jgpt.spark;

import java.io.Serializable;
import java.util.Arrays;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Where a row's prompt and seed are: column indexes in the input schema, checked once on the driver.
 *
 * @param prompt     the prompt column: a string (text for the model's tokenizer) or an array of int/long token ids
 * @param textPrompt whether the prompt column is a string
 * @param seed       the seed column (int or long), or -1 for none
 */
record InputColumns(int prompt, boolean textPrompt, int seed) implements Serializable {

    /**
     * The columns {@code promptCol} and {@code seedCol} (empty for none) of {@code schema}.
     *
     * @throws IllegalArgumentException naming a missing column or a wrong type (Spark ML's convention)
     */
    static InputColumns of(StructType schema, String promptCol, String seedCol) {
        int p = index(schema, promptCol, "prompt");
        DataType t = schema.fields()[p].dataType();
        boolean text = t.equals(DataTypes.StringType);
        if (!text && !(t instanceof ArrayType && integral(((ArrayType) t).elementType()))) {
            throw new IllegalArgumentException("the prompt column '" + promptCol + "' is " + t.simpleString()
                    + "; it must be a string (text) or an array of int or bigint (token ids)");
        }
        int s = -1;
        if (seedCol != null && !seedCol.isEmpty()) {
            s = index(schema, seedCol, "seed");
            DataType st = schema.fields()[s].dataType();
            if (!integral(st)) {
                throw new IllegalArgumentException("the seed column '" + seedCol + "' is " + st.simpleString()
                        + "; it must be an int or a bigint");
            }
        }
        return new InputColumns(p, text, s);
    }

    private static int index(StructType schema, String name, String what) {
        if (!Arrays.asList(schema.fieldNames()).contains(name)) {
            throw new IllegalArgumentException("no " + what + " column '" + name + "' in the input (columns: "
                    + String.join(", ", schema.fieldNames()) + ")");
        }
        return schema.fieldIndex(name);
    }

    private static boolean integral(DataType t) {
        return t.equals(DataTypes.IntegerType) || t.equals(DataTypes.LongType);
    }
}
