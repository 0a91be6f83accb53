package dev.jgpt.bench.e2e;

import dev.jgpt.api.BackendProvider;
import dev.jgpt.api.DType;
import dev.jgpt.api.TensorBackend;
import dev.jgpt.model.Checkpoint;
import dev.jgpt.model.GptConfig;
import dev.jgpt.model.GptPreset;
import dev.jgpt.model.RandomWeights;
import dev.jgpt.model.io.GgufExport;
import dev.jgpt.model.io.ModelWriter;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code gpt bench --dtype} end to end: a random model of the preset's shape, converted to one GGUF file per dtype
 * as {@code gpt convert} writes it (llama.cpp's layout: 2-D weights in the dtype, vectors F32), then every backend
 * on every file ({@link DtypeBench}), with the bandwidth probes interleaved; the temporary files are deleted after.
 */
public final class DtypeEndToEnd {
    private DtypeEndToEnd() {
    }

    public static DtypeReport run(GptPreset preset, DtypeBench.Plan plan, List<BackendProvider> providers,
            List<DType> dtypes, PrintWriter err) throws Exception {
        GptConfig config = preset.config();
        int threads = Runtime.getRuntime().availableProcessors();
        Progress progress = new Progress(err, 1 + dtypes.size() + plan.probeBytes.length
                + providers.size() * dtypes.size() * DtypeBench.steps(plan));
        Path work = Files.createTempDirectory("jgpt-bench-dtype");
        List<Bandwidth.Probe> probes = new ArrayList<>();
        try {
            progress.show("writing a random " + preset.label() + " model");
            Path folder = work.resolve("f32-folder");
            ModelWriter.write(folder, config, RandomWeights.generate(config, 1, true, 0f), "F32", "");
            List<Path> files = new ArrayList<>();
            for (DType type : dtypes) {
                progress.step("converting it to " + type + " GGUF");
                Path file = work.resolve(type.name().toLowerCase(java.util.Locale.ROOT) + ".gguf");
                try (Checkpoint c = Checkpoint.open(folder)) {
                    GgufExport.write(c, type, null, file);
                }
                files.add(file);
            }
            for (long bytes : plan.probeBytes) {
                progress.step("memory bandwidth probe: " + (bytes >> 20) + " MiB buffer");
                probes.add(new Bandwidth.Probe(bytes, threads));
            }
            Bandwidth.Probe[] ps = probes.toArray(new Bandwidth.Probe[0]);
            List<DtypeBench.Row> rows = new ArrayList<>();
            for (BackendProvider provider : providers) {
                for (int i = 0; i < dtypes.size(); i++) {
                    DtypeBench.Row r;
                    try (TensorBackend b = provider.create()) {
                        r = DtypeBench.run(provider.name(), b, dtypes.get(i), files.get(i), config, plan, ps,
                                progress::step);
                    } catch (RuntimeException e) {
                        r = DtypeBench.failed(provider.name(), dtypes.get(i), e);
                    }
                    rows.add(r);
                    System.gc();
                }
            }
            return new DtypeReport(preset, plan, rows);
        } finally {
            progress.finish();
            probes.forEach(Bandwidth.Probe::close);
            EndToEnd.deleteTree(work);
        }
    }
}
