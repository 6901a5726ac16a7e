package dev.nightcast.scorecard;

import static org.apache.spark.sql.functions.col;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nightcast.NightcastException;
import dev.nightcast.config.PipelineConfig;
import dev.nightcast.features.Features;
import dev.nightcast.features.FeaturesTable;
import dev.nightcast.monitoring.DriftReport;
import dev.nightcast.monitoring.OfflineOnline;
import dev.nightcast.monitoring.Performance;
import dev.nightcast.monitoring.Slices;
import dev.nightcast.ops.RunsTable;
import dev.nightcast.registry.ModelsTable;
import dev.nightcast.registry.Registry;
import dev.nightcast.training.Train;
import dev.nightcast.warehouse.Tables;
import dev.nightcast.warehouse.Warehouse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Reads the scorecard's {@link Evidence} for night D from the pipeline's own tables (a table not
 * written yet reads as empty) and, when NIGHTCAST_HOME holds the project tree, the few project files
 * the rules name. Cost: a dozen small filtered scans or counts of the metric tables and the
 * registry, no joins; the project files are read whole (a few hundred KB).
 */
public final class EvidenceReader {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** A project tree holds its tests; an installed image (the Dockerfile's) holds only bin/, conf/ and the jar. */
  private static final String PROJECT_MARKER = "jobs/src/test/java";

  private EvidenceReader() {}

  public static Evidence read(Warehouse warehouse, PipelineConfig pipeline, LocalDate night, Path home) {
    Map<String, Long> alerts = counts(warehouse, Tables.ALERTS, t -> t.where(col("ds").leq(Date.valueOf(night))), "kind");
    List<RunsTable.Run> runs = rows(warehouse, Tables.RUNS, t -> t.where(col("ds").leq(Date.valueOf(night)))).stream().map(RunsTable.Run::fromRow).toList();
    Set<String> succeeded = runs.stream()
        .filter(r -> r.ds().equals(night) && r.status().equals(RunsTable.Run.SUCCEEDED)).map(RunsTable.Run::stage).collect(Collectors.toSet());
    long published = runs.stream()
        .filter(r -> r.stage().equals("publish") && r.status().equals(RunsTable.Run.SUCCEEDED)).map(RunsTable.Run::ds).distinct().count();
    Set<String> timed = runs.stream()
        .filter(r -> r.ds().equals(night) && r.startedAt() != null && r.endedAt() != null).map(RunsTable.Run::stage).collect(Collectors.toSet());
    Optional<Evidence.Champion> champion = champion(warehouse, night);
    List<Long> ages = champion.map(c -> rows(warehouse, Tables.PERFORMANCE_DAILY, t -> realised(t, true)
            .where(col("model_version").equalTo(c.version()).and(col("ds").leq(Date.valueOf(night)))).select("ds").distinct().orderBy("ds"))
        .stream().map(r -> r.<Date>getAs("ds").toLocalDate().toEpochDay() - c.trainedOn().toEpochDay()).toList())
        .orElse(List.of());
    return new Evidence(
        night, pipeline,
        counts(warehouse, Tables.DATA_QUALITY, t -> onNight(t, night), "source"),
        champion, ages,
        count(warehouse, Tables.PERFORMANCE_DAILY, t -> realised(onNight(t, night), true)),
        count(warehouse, Tables.PERFORMANCE_DAILY, t -> realised(onNight(t, night), false)),
        count(warehouse, Tables.DRIFT_DAILY, t -> onNight(t, night).where(col("comparison").equalTo(DriftReport.BASELINE))),
        alerts, succeeded, published, timed,
        count(warehouse, Tables.FEATURES, t -> onNight(t, night)),
        FeaturesTable.otherDerivations(warehouse, Train.windowStart(pipeline, night), night, Features.derivation(pipeline)).size(),
        count(warehouse, Tables.PREDICTIONS, t -> onNight(t, night)),
        OfflineOnline.summarize(OfflineOnline.read(warehouse, night)),
        project(home));
  }

  /** The champion serving on the night and its registry, backtest and importance facts. */
  private static Optional<Evidence.Champion> champion(Warehouse warehouse, LocalDate night) {
    Optional<Registry.Champion> serving = warehouse.exists(Tables.MODEL_EVENTS) ? Registry.champion(warehouse, night) : Optional.empty();
    if (serving.isEmpty()) {
      return Optional.empty();
    }
    ModelsTable.Model model = Registry.model(warehouse, serving.get().version(), "score the ML tests of");
    Optional<Integer> baseline = Registry.registered(warehouse).stream()
        .filter(m -> m.ds().equals(model.ds()) && m.isBaseline()).map(ModelsTable.Model::version).findFirst();
    UnaryOperator<Dataset<Row>> ofVersion = t -> t.where(col("version").equalTo(model.version()));
    Map<String, Long> importances = counts(warehouse, Tables.IMPORTANCES, ofVersion, "kind");
    int folds = (int) count(warehouse, Tables.BACKTESTS, t -> ofVersion.apply(t).where(col("ds").equalTo(Date.valueOf(model.ds()))).select("fold").distinct());
    return Optional.of(new Evidence.Champion(
        model.version(), model.candidate(), model.ds(), model.gateMode(), model.gatePassed(), model.gateReasons(), json(model.tuning()).size(),
        model.featureNames(), present(model.inputVersions()) && present(model.configSha256()) && present(model.codeVersion()),
        json(model.sliceMetrics()).size() > 0, baseline, folds, importances.getOrDefault("builtin", 0L),
        importances.getOrDefault("permutation", 0L)));
  }

  /** The project files the rules read, or empty when NIGHTCAST_HOME holds no project tree. */
  static Optional<Map<String, String>> project(Path home) {
    if (!Files.isDirectory(home.resolve(PROJECT_MARKER))) {
      return Optional.empty();
    }
    Map<String, String> files = new HashMap<>();
    for (String file : Scorecard.PROJECT_FILES) {
      Path path = home.resolve(file);
      if (Files.isRegularFile(path)) {
        try {
          files.put(file, Files.readString(path));
        } catch (IOException e) {
          throw new UncheckedIOException("Cannot read " + path + " for the scorecard: " + e.getMessage(), e);
        }
      }
    }
    return Optional.of(files);
  }

  private static Dataset<Row> onNight(Dataset<Row> table, LocalDate night) {
    return table.where(col("ds").equalTo(Date.valueOf(night)));
  }

  /** Realised performance rows: of the whole population, or of slices. */
  private static Dataset<Row> realised(Dataset<Row> table, boolean whole) {
    return table.where(col("kind").equalTo(Performance.REALISED).and(whole ? col(Slices.KEY).isNull() : col(Slices.KEY).isNotNull()));
  }

  private static boolean present(String value) {
    return value != null && !value.isBlank();
  }

  /** A JSON array's or object's entries (models.tuning, models.slice_metrics). */
  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text == null ? "null" : text);
    } catch (IOException e) {
      throw NightcastException.badData("Cannot read the models table's JSON for the scorecard: " + e.getMessage() + " (" + text + ")");
    }
  }

  private static List<Row> rows(Warehouse warehouse, String table, UnaryOperator<Dataset<Row>> query) {
    return warehouse.exists(table) ? query.apply(warehouse.read(table)).collectAsList() : List.of();
  }

  private static long count(Warehouse warehouse, String table, UnaryOperator<Dataset<Row>> query) {
    return warehouse.exists(table) ? query.apply(warehouse.read(table)).count() : 0;
  }

  private static Map<String, Long> counts(Warehouse warehouse, String table, UnaryOperator<Dataset<Row>> query, String by) {
    Map<String, Long> counts = new TreeMap<>();
    rows(warehouse, table, t -> query.apply(t).groupBy(by).count()).forEach(r -> counts.put(r.getAs(by), r.<Long>getAs("count")));
    return counts;
  }
}
