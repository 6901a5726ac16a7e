package dev.nightcast.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.nightcast.config.ConfigLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/** The real pipeline definitions, with overrides for fast tests, loaded through the real loader. */
public final class TestPipelines {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private TestPipelines() {}

  /** The project root (tests run from jobs/). */
  public static Path root() {
    Path here = Path.of("").toAbsolutePath();
    return Files.exists(here.resolve("conf")) ? here : here.getParent();
  }

  public static Path sampleLanding() {
    return root().resolve("data-samples/flights");
  }

  /** The landing root of the second shipped use case, {@code nyc_arrival_delay}. */
  public static Path nycLanding() {
    return root().resolve("data-samples/nyc_flights");
  }

  /** A landing zone of its own in {@code landing}: the sample's drops dated before {@code firstLeftOut}. */
  public static void copySampleDrops(Path landing, LocalDate firstLeftOut) throws IOException {
    for (String feed : List.of("schedule", "actuals")) {
      Files.createDirectories(landing.resolve(feed));
      try (var drops = Files.list(sampleLanding().resolve(feed))) {
        for (Path drop : drops.filter(p -> p.getFileName().toString().compareTo(firstLeftOut.toString()) < 0).toList()) {
          Files.copy(drop, landing.resolve(feed).resolve(drop.getFileName()));
        }
      }
    }
  }

  /**
   * The flight-delay pipeline with {@code overrides} applied: keys are dotted paths such as
   * {@code training.window_days}; values replace the YAML node there.
   */
  public static ConfigLoader.LoadedPipeline flightDelay(Path dir, Map<String, Object> overrides) {
    return shipped("flight_delay", dir, overrides);
  }

  /** The shipped pipeline {@code conf/pipelines/<name>.yaml} with {@code overrides} applied, as {@link #flightDelay}. */
  public static ConfigLoader.LoadedPipeline shipped(String name, Path dir, Map<String, Object> overrides) {
    try {
      JsonNode tree = YAML.readTree(root().resolve("conf/pipelines/" + name + ".yaml").toFile());
      for (Map.Entry<String, Object> override : overrides.entrySet()) {
        String[] path = override.getKey().split("\\.");
        JsonNode node = tree;
        for (int i = 0; i < path.length - 1; i++) {
          node = path[i].matches("\\d+") ? node.get(Integer.parseInt(path[i])) : node.get(path[i]);
        }
        JsonNode value = YAML.valueToTree(override.getValue());
        if (node instanceof ArrayNode list) {
          // an index one past the end appends (e.g. a further candidate)
          int index = Integer.parseInt(path[path.length - 1]);
          if (index == list.size()) {
            list.add(value);
          } else {
            list.set(index, value);
          }
        } else {
          ((ObjectNode) node).set(path[path.length - 1], value);
        }
      }
      Path file = Files.createTempFile(dir, "pipeline", ".yaml");
      YAML.writeValue(file.toFile(), tree);
      return ConfigLoader.loadPipeline(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Small and fast: a 3-day training window (its last 0.3 days test, the 0.3 before validation), a
   * shallow GBT without a grid, no per-slice gate, 1-day delay rates (so the sample's first night is
   * the only one without complete history, and the first training is night 4), no permutation
   * importance (a scoring pass per feature on every training; EndToEndTest turns it on).
   */
  public static ConfigLoader.LoadedPipeline small(Path dir) {
    return small(dir, Map.of());
  }

  /** {@link #small(Path)} with further overrides (a null value removes the key's value). */
  public static ConfigLoader.LoadedPipeline small(Path dir, Map<String, Object> more) {
    Map<String, Object> overrides = new java.util.LinkedHashMap<>();
    overrides.put("training.window_days", 3);
    overrides.put("training.validation_days", 0.3);
    overrides.put("training.test_days", 0.3);
    overrides.put("candidates.1.params", Map.of("maxIter", 5, "maxDepth", 3));
    overrides.put("candidates.1.grid", Map.of());
    overrides.put("gate.thresholds", Map.of("auc", 0.5));
    overrides.put("gate.slices", null);
    overrides.put("features.8.history.days", 1);
    overrides.put("features.9.history.days", 1);
    overrides.put("training.importance", Map.of("repeats", 0));
    overrides.putAll(more);
    return flightDelay(dir, overrides);
  }
}
