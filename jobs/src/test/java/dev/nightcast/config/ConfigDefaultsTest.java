package dev.nightcast.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightcast.ExitCode;
import dev.nightcast.NightcastException;
import dev.nightcast.monitoring.Binning;
import dev.nightcast.monitoring.ReferenceProfile;
import dev.nightcast.testing.TestPipelines;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The keys a user may leave out, and the slips that stop a command with exit code 3 and the key path. */
@Tag("unit")
class ConfigDefaultsTest {
  @TempDir Path dir;

  @Test
  void optionalKeysTakeTheDocumentedDefaults() {
    Map<String, Object> absent = new HashMap<>();
    for (String key : List.of(
        "serving.keep_versions", "serving.copy_streams", "sources.actuals.day_offset", "label.threshold", "gate.must_beat_baseline",
        "gate.slices.top_n", "features.9.history.days", "monitoring", "maintenance")) {
      absent.put(key, null);
    }
    PipelineConfig pipeline = TestPipelines.flightDelay(dir, absent).config();

    assertThat(pipeline.serving().keepVersions()).isEqualTo(3);
    assertThat(pipeline.serving().copyStreams()).isEqualTo(2);
    assertThat(pipeline.source("actuals").dayOffset()).isZero();
    assertThat(pipeline.label().threshold()).isZero();
    assertThat(pipeline.gate().mustBeatBaseline()).isTrue();
    assertThat(pipeline.gate().slices().topN()).isEqualTo(10);
    assertThat(pipeline.features().get(9).history().days()).isEqualTo(28);
    assertThat(pipeline.monitoring()).isEqualTo(MonitoringConfig.DEFAULTS.forTask(Task.BINARY_CLASSIFICATION));
    assertThat(pipeline.monitoring().performanceFloors()).isEqualTo(Map.of("roc_auc", 0.6));
    assertThat(pipeline.maintenance()).isEqualTo(MaintenanceConfig.DEFAULTS);
    assertThat(pipeline.maintenance().retentionHours("features")).isEqualTo(168);
    assertThat(pipeline.maintenance().logRetentionDays()).isEqualTo(30);
    assertThat(pipeline.maintenance().keepChampions()).isEqualTo(3);
  }

  @Test
  void aTableOverrideReplacesTheRetentionOfThatTableOnly() {
    MaintenanceConfig maintenance =
        TestPipelines.flightDelay(dir, Map.of("maintenance", Map.of("retention_hours", 72, "tables", Map.of("runs", Map.of("retention_hours", 0)))))
            .config().maintenance();
    assertThat(maintenance.retentionHours("runs")).isZero();
    assertThat(maintenance.retentionHours("features")).isEqualTo(72);
    assertBadConfig(() -> TestPipelines.flightDelay(dir, Map.of("maintenance", Map.of("tables", Map.of("runs", Map.of("retention_hours", -1))))))
        .hasMessageContaining("maintenance.tables.runs")
        .hasMessageContaining("'maintenance.tables.runs.retention_hours' must be 0 or more (got -1)");
  }

  @Test
  void aProfileWithoutSparkOrAnEmbeddedPortTakesTheDefaults() throws IOException {
    Path file = write("env.yaml", """
        warehouse: wh
        landing: landing
        postgres: {embedded: {data_dir: pg}}
        """);
    EnvConfig env = ConfigLoader.loadEnv(file.toString(), dir, Map.of());
    assertThat(env.spark().master()).isNull();
    assertThat(env.spark().conf()).isEmpty();
    assertThat(env.postgres().embedded().port()).isEqualTo(54329);
  }

  @Test
  void aSliceColumnMustBeAFeature() {
    assertBadConfig(() -> TestPipelines.flightDelay(dir, Map.of("monitoring.slices", List.of(Map.of("column", "carrier", "top", 5)))))
        .hasMessageContaining("'monitoring.slices[0].column' names 'carrier', which is not a feature");
  }

  @Test
  void aDriftColumnOverrideMustNameAMonitoredColumn() {
    assertBadConfig(() -> TestPipelines.flightDelay(dir, Map.of("monitoring.drift.columns", Map.of("distanse", Map.of("psi", 0.3)))))
        .hasMessageContaining("'monitoring.drift.columns.distanse' names no monitored column")
        .hasMessageContaining("probability, label");
    // the served score and the label are monitored too
    PipelineConfig pipeline =
        TestPipelines.flightDelay(dir, Map.of("monitoring.drift.columns", Map.of("probability", Map.of("psi", 0.3), "label", Map.of("psi", 0.3))))
            .config();
    assertThat(pipeline.monitoring().drift().threshold("probability", "psi")).isEqualTo(0.3);
  }

  @Test
  void theMonitoredColumnsAreThoseMonitoringProfiles() {
    for (Task task : Task.values()) {
      PipelineConfig pipeline = TestPipelines.flightDelay(dir, Map.of()).config();
      List<String> profiled =
          ReferenceProfile.columns(TestPipelines.flightDelay(dir, Map.of("training.task", task.yaml(), "candidates",
              pipeline.candidates().stream().map(c -> Map.of("name", c.name(), "algorithm", task == Task.REGRESSION
                  ? (c.isBaseline() ? "linear_regression" : "gbt_regressor") : c.algorithm(), "baseline", c.isBaseline())).toList(),
              "gate.thresholds", Map.of(), "gate.slices", Map.of("column", "origin"), "monitoring.performance_floors", Map.of(),
              "monitoring.retrain_rules", List.of(), "monitoring.slices", List.of(Map.of("column", "origin")))).config())
              .stream().map(Binning.Column::name).toList();
      assertThat(PipelineConfig.monitoredColumns(pipeline.features(), task)).as(task.yaml()).isEqualTo(profiled);
    }
  }

  @Test
  void aThresholdWithoutAValueNamesTheKey() throws IOException {
    assertBadConfig(() -> ConfigLoader.loadPipeline(rewrite("thresholds: {auc: 0.60}", "thresholds: {auc: null}")))
        .hasMessageContaining("'gate.thresholds.auc' has no value: give it a number, or remove the key");
    assertBadConfig(() -> ConfigLoader.loadPipeline(rewrite("performance_floors: {roc_auc: 0.55}", "performance_floors: {roc_auc: }")))
        .hasMessageContaining("'monitoring.performance_floors.roc_auc' has no value");
  }

  @Test
  void aDecimalForAnIntegerKeyIsRejectedNotTruncated() throws IOException {
    Path file = rewrite("keep_versions: 3", "keep_versions: 2.5");
    assertBadConfig(() -> ConfigLoader.loadPipeline(file))
        .hasMessageContaining(file.toString())
        .hasMessageContaining("'serving.keep_versions' takes a whole number, not the decimal 2.5");
    assertBadConfig(() -> ConfigLoader.loadPipeline(rewrite("window_days: 14", "window_days: 14.0")))
        .hasMessageContaining("'training.window_days' takes a whole number");
  }

  @Test
  void aYamlBooleanForAnEnumeratedKeySaysSo() throws IOException {
    assertBadConfig(() -> ConfigLoader.loadPipeline(rewrite("mode: enabled", "mode: off")))
        .hasMessageContaining("'gate.mode' takes one of [enabled, dry_run, disabled], but YAML read the plain word there as the boolean false")
        .hasMessageContaining("write one of [enabled, dry_run, disabled]")
        .hasMessageContaining("'disabled', not off");
    assertBadConfig(() -> ConfigLoader.loadPipeline(rewrite("format: parquet", "format: yes")))
        .hasMessageContaining("'sources.actuals.format' takes text, but YAML read the plain word there as the boolean true");
    assertBadConfig(() -> ConfigLoader.loadPipeline(rewrite("{column: dep_time, not_null: true}", "{column: dep_time, allowed: [yes, no]}")))
        .hasMessageContaining("'sources.schedule.expectations.rules[2].allowed[0]' takes text")
        .hasMessageContaining("quote a text that is one of these words");
  }

  @Test
  void sparkOptionMapsStillTakeBooleans() throws IOException {
    PipelineConfig pipeline =
        ConfigLoader.loadPipeline(rewrite("    format: csv\n", "    format: csv\n    options: {header: true, sep: ','}\n")).config();
    assertThat(pipeline.source("schedule").options()).isEqualTo(Map.of("header", "true", "sep", ","));
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> assertBadConfig(org.assertj.core.api.ThrowableAssert.ThrowingCallable load) {
    return assertThatThrownBy(load)
        .isInstanceOfSatisfying(NightcastException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.BAD_CONFIG));
  }

  private Path rewrite(String from, String to) throws IOException {
    String text = Files.readString(TestPipelines.root().resolve("conf/pipelines/flight_delay.yaml"));
    assertThat(text).contains(from);
    return write("pipeline-" + Integer.toHexString(to.hashCode()) + ".yaml", text.replaceFirst(java.util.regex.Pattern.quote(from), java.util.regex.Matcher.quoteReplacement(to)));
  }

  private Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }
}
