package dev.jgpt.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The embedded default model: the nano sort model this project trained itself ({@code gpt train-sort}), shipped in
 * this jar under {@code dev/jgpt/model/sort/}. It is copied once per process to a temporary folder, since the loader
 * memory-maps files.
 */
public final class DefaultModel {
    static final String RESOURCE_DIR = "/dev/jgpt/model/sort/";
    private static Path folder;

    private DefaultModel() {
    }

    /** Whether this build has an embedded model. */
    public static boolean present() {
        return DefaultModel.class.getResource(RESOURCE_DIR + "model.safetensors") != null
                && DefaultModel.class.getResource(RESOURCE_DIR + "config.json") != null;
    }

    /** A folder holding the default model's {@code config.json} and {@code model.safetensors}. */
    public static synchronized Path folder() {
        if (folder != null) {
            return folder;
        }
        if (!present()) {
            throw new ModelLoadException("this build has no embedded default model; pass --model DIR or --model FILE.gguf");
        }
        try {
            Path dir = Files.createTempDirectory("jgpt-default-model");
            for (String name : new String[] {"config.json", "model.safetensors"}) {
                Path target = dir.resolve(name);
                try (InputStream in = DefaultModel.class.getResourceAsStream(RESOURCE_DIR + name)) {
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                }
                target.toFile().deleteOnExit();
            }
            dir.toFile().deleteOnExit();
            folder = dir;
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack the default model to a temporary folder", e);
        }
    }
}
