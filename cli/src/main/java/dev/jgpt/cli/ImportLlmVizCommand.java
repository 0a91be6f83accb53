package dev.jgpt.cli;

import dev.jgpt.model.GptConfig;
import dev.jgpt.model.io.LlmVizImporter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code gpt import-llmviz}: convert an llm-viz / minGPT model JSON to a Hugging Face GPT-2 folder. */
@Command(name = "import-llmviz", mixinStandardHelpOptions = true,
        description = "Convert an llm-viz / minGPT model JSON (e.g. gpt-nano-sort-model.json) into a model folder "
                + "(config.json + model.safetensors, Hugging Face GPT-2 layout).")
final class ImportLlmVizCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE.json", description = "The llm-viz model file.")
    Path json;

    @Mixin
    ModelFolderOutput output = new ModelFolderOutput();

    @Override
    public Integer call() {
        Path out = output.checked();
        GptConfig config;
        try {
            config = LlmVizImporter.importModel(json, out);
        } catch (IOException e) {
            throw output.failed(e);
        }
        spec.commandLine().getOut().println("wrote " + out + " (n_layer " + config.nLayer + ", n_head " + config.nHead
                + ", n_embd " + config.nEmbd + ", vocab_size " + config.vocabSize + ", n_positions " + config.nPositions
                + ")");
        return ExitCodes.OK;
    }
}
