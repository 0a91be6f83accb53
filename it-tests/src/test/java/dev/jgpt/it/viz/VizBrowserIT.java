package dev.jgpt.it.viz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.api.Gelu;
import dev.jgpt.cli.Main;
import dev.jgpt.model.DefaultModel;
import dev.jgpt.model.GptConfig;
import dev.jgpt.model.RandomWeights;
import dev.jgpt.model.io.ModelWriter;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gpt viz} in a real browser: headless Chromium opens the generated page, takes a screenshot and dumps the DOM
 * after the page's scripts ran. The page reports what it drew as data-* attributes on {@code <body>} (sections,
 * heat-maps, non-blank heat-maps, errors counted by hooks installed before anything else) and, with
 * {@code #selftest} in the URL, hovers a heat-map cell and renders every step, layer and head once.
 */
class VizBrowserIT {
    private static final List<String> SECTIONS = List.of("input", "embedding", "layernorm", "attention",
            "projection", "mlp", "blocks", "output", "loop");

    @TempDir
    Path tmp;

    @Test
    void theSortModelsWalkthroughRendersEverySectionWithHeatMapsAndNoErrors() throws Exception {
        Chromium chromium = Chromium.require(tmp);
        List<String> args = new ArrayList<>(List.of("viz", "CBABBC", "--backend", "plain"));
        args.addAll(sortModel());
        Path page = tmp.resolve("walkthrough.html");
        args.addAll(List.of("--out", page.toString()));
        gpt(args);
        String html = Files.readString(page, StandardCharsets.UTF_8);
        assertSelfContained(html);

        Path png = tmp.resolve("walkthrough.png");
        Chromium.Run shot = chromium.screenshot(page.toUri().toString(), png, 1280, 2400);
        assertTrue(Files.isRegularFile(png), "no screenshot; chromium said:\n" + Chromium.tail(shot.stderr()));
        assertNotBlank(png);
        noConsoleErrors(shot);

        Chromium.Run run = chromium.dumpDom(page.toUri() + "#selftest");
        noConsoleErrors(run);
        Map<String, String> body = bodyAttributes(run);
        assertEquals("1", body.get("data-ready"), "the page's script did not finish: " + body);
        assertEquals("0", body.get("data-errors"), "errors on the page: " + errorText(run.stdout()));
        assertEquals(String.join(",", SECTIONS), body.get("data-section-names"));
        assertEquals("9", body.get("data-sections"));
        int heatmaps = Integer.parseInt(body.get("data-heatmaps"));
        assertTrue(heatmaps >= 20, "only " + heatmaps + " heat-maps drawn");
        assertEquals(heatmaps, Integer.parseInt(body.get("data-nonblank-heatmaps")), "blank heat-maps: " + body);
        assertTrue(Integer.parseInt(body.get("data-chosen")) >= 3, "the chosen token is not highlighted: " + body);
        assertEquals("done", body.get("data-selftest"), body.toString());
        assertEquals(6 + 3 + 3, Integer.parseInt(body.get("data-selftest-renders"))); // steps, layers, heads
        // hovering names the tensor, the head and the indices: query 5 (the last position) attending to key 2
        assertTrue(body.get("data-hover").matches("h0\\.attSm\\[head 1\\]\\[5\\]\\[2\\] = 0\\.\\d{3} \\| query 5 .*"),
                "tooltip: " + body.get("data-hover"));
        assertTrue(body.get("data-hover-norm").matches("‖block2\\[0\\]‖ = \\d+\\.\\d{3} \\| position 0 .*"),
                "tooltip: " + body.get("data-hover-norm"));
        // the temperature slider recomputes the table: at τ = 0.5 the chosen token is (even) more likely
        assertTrue(body.get("data-temperature").matches("0\\.5 [01]\\.\\d{4}"), body.get("data-temperature"));
        assertTrue(run.stdout().contains("ABBBCC"), "the page does not show the sorted result ABBBCC");
        for (String s : SECTIONS) {
            assertTrue(run.stdout().contains("id=\"sec-" + s + "\""), "section " + s + " missing");
        }
    }

    @Test
    void aGpt2SizedModelIsSampledAndTheHtmlStaysSmall() throws Exception {
        Chromium chromium = Chromium.require(tmp);
        GptConfig config = new GptConfig(2, 4, 64, 50257, 64, 1e-5f, Gelu.TANH, true);
        Path model = tmp.resolve("gpt2-shaped");
        ModelWriter.write(model, config, RandomWeights.generate(config, 7, true, 0.02f), "F32", "");
        Path page = tmp.resolve("gpt2.html");
        String prompt = "Tokens with <b>tags</b> & \"quotes\" </script><script>alert(1)</script>\nand a newline";
        gpt(List.of("viz", prompt, "--model", model.toString(), "--backend", "plain", "--max-new-tokens", "4",
                "--out", page.toString()));
        long size = Files.size(page);
        assertTrue(size < 2_000_000, "the page is " + size + " bytes");
        String html = Files.readString(page, StandardCharsets.UTF_8);
        assertSelfContained(html);
        assertFalse(html.contains("<b>tags") || html.contains("alert(1)</script>"), "token text is not escaped");
        assertTrue(html.contains("the 10 most likely of 50257 tokens"), "the page does not say logits are cut");
        System.out.println("VizBrowserIT: GPT-2-shaped page (2 × 64 wide, vocabulary 50257) is " + size / 1024
                + " KB");

        Chromium.Run run = chromium.dumpDom(page.toUri() + "#selftest");
        noConsoleErrors(run);
        Map<String, String> body = bodyAttributes(run);
        assertEquals("0", body.get("data-errors"), "errors on the page: " + errorText(run.stdout()));
        assertEquals("9", body.get("data-sections"));
        assertEquals("true", body.get("data-sampled"));
        assertEquals(body.get("data-heatmaps"), body.get("data-nonblank-heatmaps"));
        assertTrue(run.stdout().contains("showing every 4th of 256 channels"), "the MLP heat-maps do not say they are "
                + "sampled");
        assertTrue(run.stdout().contains("Sampled to keep this page small"), "no sampling note on the page");
        assertTrue(run.stdout().contains("alert(1)"), "the prompt's text is not shown as text");
        assertFalse(run.stdout().contains("<b>tags"), "token text became markup");
    }

    /** The embedded sort model (no --model), else llm-viz's, imported; skipped with the reason when neither. */
    private List<String> sortModel() {
        if (DefaultModel.present()) {
            return List.of();
        }
        Path json = Path.of(System.getProperty("jgpt.root", "."), "..", "shared", "reference", "llm-viz",
                "gpt-nano-sort-model.json").normalize();
        if (!Files.isRegularFile(json)) {
            String reason = "no embedded default model and no " + json;
            System.out.println("VizBrowserIT skipped: " + reason);
            Assumptions.abort(reason);
        }
        Path dir = tmp.resolve("nano");
        gpt(List.of("import-llmviz", json.toString(), "--out", dir.toString()));
        return List.of("--model", dir.toString());
    }

    private static void gpt(List<String> args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args.toArray(new String[0]), new PrintWriter(out), new PrintWriter(err));
        assertEquals(0, code, "gpt " + args + " failed:\n" + out + err);
    }

    /** One file: no external scripts, styles, fonts or images, and the data cannot end its script block. */
    private static void assertSelfContained(String html) {
        for (String external : new String[] {"<script src", "<link", "@import", "url(http", "src=\"http",
            "href=\"http", "@font-face"}) {
            assertFalse(html.contains(external), "the page references something outside itself: " + external);
        }
        int data = html.indexOf("<script type=\"application/json\" id=\"viz-data\">");
        assertTrue(data > 0, "no embedded data block");
        int end = html.indexOf("</script>", data);
        assertFalse(html.substring(data + 10, end).contains("<"), "the data block holds a raw '<'");
    }

    private static void assertNotBlank(Path png) throws Exception {
        BufferedImage image = ImageIO.read(png.toFile());
        assertTrue(image != null && image.getWidth() >= 1000, "not a PNG screenshot: " + png);
        double sum = 0;
        double sq = 0;
        int n = 0;
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 3) {
            for (int x = 0; x < image.getWidth(); x += 3) {
                int rgb = image.getRGB(x, y) & 0xffffff;
                colours.add(rgb);
                double l = 0.299 * (rgb >> 16) + 0.587 * ((rgb >> 8) & 0xff) + 0.114 * (rgb & 0xff);
                sum += l;
                sq += l * l;
                n++;
            }
        }
        double variance = sq / n - (sum / n) * (sum / n);
        assertTrue(variance > 100, "the screenshot is (nearly) blank: luminance variance " + variance);
        assertTrue(colours.size() > 100, "the screenshot has only " + colours.size() + " colours: no heat-maps?");
    }

    /** Chromium logs page errors ("Uncaught ...") and console messages ("CONSOLE") to stderr; the page logs none. */
    private static void noConsoleErrors(Chromium.Run run) {
        List<String> bad = new ArrayList<>();
        for (String line : run.stderr().split("\n")) {
            if (line.contains("Uncaught") || line.contains(":CONSOLE") || line.contains("CONSOLE(")) {
                bad.add(line);
            }
        }
        assertTrue(bad.isEmpty(), bad.size() + " console message(s), the first:\n"
                + String.join("\n", bad.subList(0, Math.min(3, bad.size()))));
    }

    private static Map<String, String> bodyAttributes(Chromium.Run run) {
        Matcher body = Pattern.compile("<body([^>]*)>").matcher(run.stdout());
        assertTrue(body.find(), "no <body> in the DOM dump (exit " + run.exitCode() + "):\n"
                + Chromium.tail(run.stdout()) + "\nstderr:\n" + Chromium.tail(run.stderr()));
        Map<String, String> attrs = new HashMap<>();
        Matcher m = Pattern.compile("([\\w-]+)=\"([^\"]*)\"").matcher(body.group(1));
        while (m.find()) {
            attrs.put(m.group(1), m.group(2).replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">")
                    .replace("&amp;", "&"));
        }
        return attrs;
    }

    private static String errorText(String dom) {
        Matcher m = Pattern.compile("<div id=\"errors\"[^>]*>([^<]*)</div>").matcher(dom);
        return m.find() ? m.group(1) : Arrays.toString(new String[0]);
    }
}
