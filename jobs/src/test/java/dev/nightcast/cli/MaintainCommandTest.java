package dev.nightcast.cli;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nightcast.ExitCode;
import dev.nightcast.NightcastException;
import dev.nightcast.config.ConfigLoader;
import dev.nightcast.config.EnvConfig;
import dev.nightcast.maintenance.Maintenance;
import dev.nightcast.night.Context;
import dev.nightcast.night.NightlyRun;
import dev.nightcast.night.StageName;
import dev.nightcast.serving.RunLock;
import dev.nightcast.testing.Fingerprints;
import dev.nightcast.testing.TestPipelines;
import dev.nightcast.testing.TestPostgres;
import dev.nightcast.testing.TestSpark;
import dev.nightcast.warehouse.Tables;
import dev.nightcast.warehouse.Warehouse;
import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `nightcast maintain` on a warehouse of real nights (2001-01-01..05 of the sample; a model trained on
 * the 4th and the 5th, both promoted; the 5th's ingest and features re-run afterwards, which leaves
 * files no latest version reads) with a retention of 0 hours: everything old would go, but the kept
 * models' training inputs must stay readable.
 */
@Tag("spark")
class MaintainCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;

  @Test
  void compactsVacuumsKeepsContentsAndEveryKeptModelsInputsThenDoesNothingTheSecondTime() throws IOException {
    Path landing = dir.resolve("landing");
    TestPipelines.copySampleDrops(landing, LocalDate.parse("2001-01-07"));
    Map<String, Object> overrides = new LinkedHashMap<>();
    overrides.put(
        "candidates",
        List.of(Map.of("name", "logistic_baseline", "algorithm", "logistic_regression", "baseline", true, "params", Map.of("maxIter", 20, "regParam", 0.01))));
    overrides.put("training.retrain_every_days", 1);
    overrides.put("gate.mode", "dry_run");
    overrides.put("serving.schema", "maintain");
    overrides.put("maintenance", Map.of("retention_hours", 0, "keep_champions", 1));
    ConfigLoader.LoadedPipeline pipeline = TestPipelines.small(dir, overrides);
    EnvConfig env = new EnvConfig(dir.resolve("warehouse").toString(), landing.toString(), new EnvConfig.SparkSettings(null, Map.of()), TestPostgres.settings());
    Context context = new Context(pipeline, env, Map.of(), TestSpark.session(), false);
    Warehouse warehouse = context.warehouse();
    NightlyRun run = new NightlyRun(context);
    for (LocalDate ds = LocalDate.parse("2001-01-01"); !ds.isAfter(LocalDate.parse("2001-01-05")); ds = ds.plusDays(1)) {
      run.run(ds);
    }
    run.runStage(StageName.INGEST, LocalDate.parse("2001-01-05"));
    run.runStage(StageName.FEATURES, LocalDate.parse("2001-01-05"));

    // kept: champion v2 (keep_champions 1) and v1, whose predictions of night 4 a published serving version still holds
    Map<Integer, Map<String, Long>> inputs = inputVersions(warehouse);
    assertThat(inputs).containsOnlyKeys(1, 2);
    Map<String, String> kept = new TreeMap<>();
    inputs.forEach((model, versions) -> versions.forEach((table, version) -> kept.put(table + "@" + version, asOf(warehouse, table, version))));
    Map<String, String> contents = Fingerprints.of(warehouse, warehouse.tables());
    Map<String, Long> versions = versions(warehouse);
    assertThat(unreferenced(warehouse, Tables.DATA_QUALITY)).as("files the re-run of night 5 replaced").isNotEmpty();

    List<Maintenance.Outcome> first = MaintainCommand.maintain(context);

    assertThat(first).extracting(Maintenance.Outcome::table).containsExactlyElementsOf(warehouse.tables());
    assertThat(Fingerprints.of(warehouse, warehouse.tables())).isEqualTo(contents);
    // the runs table gets a file per night's append: compaction leaves one
    Maintenance.Outcome runs = outcome(first, Tables.RUNS);
    assertThat(runs.liveFilesBefore()).isGreaterThan(1);
    assertThat(runs.liveFilesAfter()).isEqualTo(1);
    // every kept model still time-travels to the versions it was trained from
    kept.forEach((input, fingerprint) -> {
      String[] parts = input.split("@");
      assertThat(asOf(warehouse, parts[0], Long.parseLong(parts[1]))).as(input).isEqualTo(fingerprint);
    });
    // the tables the models were trained from are pinned (0 h would drop the older version), with the model named
    Set<String> trainedFrom = inputs.get(1).keySet();
    for (String table : trainedFrom) {
      Maintenance.Outcome pinned = outcome(first, table);
      assertThat(pinned.configuredHours()).isZero();
      assertThat(pinned.retentionHours()).as(table).isPositive();
      assertThat(pinned.pinnedBy()).as(table).hasValueSatisfying(need -> assertThat(need.model()).isEqualTo(1));
      assertThat(pinned.logRetentionDays()).isGreaterThan(30);
      assertThat(MaintainCommand.line(pinned)).contains("maintain " + table + ": ", "(configured 0 h; raised to keep " + table + " v",
          "the training input of kept model v1)");
    }
    // the others lose every file their latest version does not read
    for (String table : warehouse.tables()) {
      if (!trainedFrom.contains(table)) {
        assertThat(unreferenced(warehouse, table)).as(table).isEmpty();
        assertThat(outcome(first, table).retentionHours()).isZero();
      }
    }

    // a second run finds nothing to compact and nothing to delete: its only commits are VACUUM's own records in the history
    Map<String, Long> maintained = versions(warehouse);
    List<Maintenance.Outcome> second = MaintainCommand.maintain(context);
    for (Maintenance.Outcome outcome : second) {
      assertThat(outcome.after()).as(outcome.table()).isEqualTo(outcome.before()).isEqualTo(outcome(first, outcome.table()).after());
      assertThat(outcome.liveFilesAfter()).isEqualTo(outcome.liveFilesBefore());
      assertThat(DeltaTable.forPath(warehouse.spark(), warehouse.path(outcome.table())).history()
              .where(col("version").gt(maintained.get(outcome.table()))).orderBy("version").select("operation").as(Encoders.STRING()).collectAsList())
          .as(outcome.table()).containsExactly("VACUUM START", "VACUUM END");
    }
    assertThat(Fingerprints.of(warehouse, warehouse.tables())).isEqualTo(contents);

    // never at the same time as a night of the pipeline
    try (RunLock night = RunLock.ofPipeline(context.database(), "flight_delay", warehouse.root(), "a night")) {
      assertThatThrownBy(() -> MaintainCommand.maintain(context))
          .isInstanceOfSatisfying(NightcastException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.BUSY))
          .hasMessageContaining("Cannot maintain pipeline 'flight_delay'")
          .hasMessageContaining("Nothing was changed");
    }
    context.close();
  }

  private static Maintenance.Outcome outcome(List<Maintenance.Outcome> outcomes, String table) {
    return outcomes.stream().filter(o -> o.table().equals(table)).findFirst().orElseThrow();
  }

  private static Map<Integer, Map<String, Long>> inputVersions(Warehouse warehouse) throws IOException {
    Map<Integer, Map<String, Long>> inputs = new TreeMap<>();
    for (Row model : warehouse.read(Tables.MODELS).collectAsList()) {
      inputs.put(model.<Integer>getAs("version"), JSON.readValue(model.<String>getAs("input_versions"), new TypeReference<TreeMap<String, Long>>() {}));
    }
    return inputs;
  }

  private static String asOf(Warehouse warehouse, String table, long version) {
    return Fingerprints.of(warehouse.spark().read().format("delta").option("versionAsOf", version).load(warehouse.path(table)));
  }

  private static Map<String, Long> versions(Warehouse warehouse) {
    return warehouse.tables().stream().collect(Collectors.toMap(table -> table, warehouse::version, (a, b) -> a, TreeMap::new));
  }

  /** Data files on disk that the table's latest version does not read (the log and hidden checksums apart). */
  private static Set<Path> unreferenced(Warehouse warehouse, String table) throws IOException {
    Set<Path> live = Arrays.stream(warehouse.read(table).inputFiles()).map(file -> Path.of(URI.create(file))).collect(Collectors.toSet());
    try (Stream<Path> files = Files.walk(Path.of(warehouse.path(table)))) {
      return files.filter(Files::isRegularFile)
          .filter(file -> !file.toString().contains("/_delta_log/") && !file.getFileName().toString().startsWith("."))
          .filter(file -> !live.contains(file))
          .collect(Collectors.toSet());
    }
  }
}
