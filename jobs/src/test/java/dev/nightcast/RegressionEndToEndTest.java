package dev.nightcast;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nightcast.config.ConfigLoader;
import dev.nightcast.config.EnvConfig;
import dev.nightcast.config.Task;
import dev.nightcast.night.Context;
import dev.nightcast.night.NightlyRun;
import dev.nightcast.testing.TestPipelines;
import dev.nightcast.testing.TestSpark;
import dev.nightcast.warehouse.Tables;
import dev.nightcast.warehouse.Warehouse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A regression pipeline (predicted delay minutes) over four sample nights on real components:
 * trains on night 3, serves a {@code prediction} column, and monitors RMSE once labels arrive.
 */
@Tag("e2e")
class RegressionEndToEndTest {
  private static final LocalDate FIRST = LocalDate.parse("2001-01-01");

  @TempDir Path dir;

  @Test
  void trainsServesAndMonitorsPredictedDelayMinutes() throws Exception {
    ConfigLoader.LoadedPipeline pipeline =
        TestPipelines.small(
            dir,
            Map.of(
                "training.task", "regression",
                "candidates.0", Map.of("name", "linear_baseline", "algorithm", "linear_regression", "baseline", true,
                    "params", Map.of("regParam", 0.1)),
                "candidates.1", Map.of("name", "forest", "algorithm", "random_forest_regressor",
                    "params", Map.of("numTrees", 10, "maxDepth", 4)),
                "gate.thresholds", Map.of("rmse", 200.0),
                "gate.must_beat_baseline", false,
                "serving.table", "flight_delay_minutes"));
    EnvConfig env =
        new EnvConfig(dir.resolve("warehouse").toString(), TestPipelines.sampleLanding().toString(),
            // its own embedded server: the shared one may already be held by another test's context
            new EnvConfig.SparkSettings(null, Map.of()),
            new EnvConfig.PostgresSettings(new EnvConfig.Embedded(dir.resolve("postgres").toString(), 0), null, null, null));
    try (Context context = new Context(pipeline, env, Map.of(), TestSpark.session(), false)) {
      check(context);
    }
  }

  private void check(Context context) throws Exception {
    Warehouse warehouse = context.warehouse();
    NightlyRun run = new NightlyRun(context);
    List<NightlyRun.Night> nights = FIRST.datesUntil(FIRST.plusDays(4)).map(run::run).toList();

    assertThat(nights.get(2).training()).isPresent();
    var training = nights.get(2).training().get();
    assertThat(training.promoted()).contains(training.pick().version());
    for (var candidate : training.candidates()) {
      assertThat(candidate.validation()).containsKeys("rmse", "mae", "r2");
      assertThat(candidate.test().metrics().get("rmse")).as(candidate.config().name()).isBetween(1.0, 200.0);
    }
    Row model = warehouse.read(Tables.MODELS).where(col("version").equalTo(training.pick().version())).head();
    assertThat(model.getString(model.fieldIndex("task"))).isEqualTo(Task.REGRESSION.yaml());
    assertThat(model.isNullAt(model.fieldIndex("test_auc"))).isTrue();
    assertThat(model.isNullAt(model.fieldIndex("calibration"))).as("no probabilities to calibrate").isTrue();

    // the label is the raw delay in minutes, not a 0/1 flag
    Row labels = warehouse.readDate(Tables.FEATURES, FIRST).where(col("role").equalTo("labelled")).agg(
        org.apache.spark.sql.functions.max("label"), org.apache.spark.sql.functions.countDistinct("label")).head();
    assertThat(labels.getDouble(0)).isGreaterThan(60);
    assertThat(labels.getLong(1)).isGreaterThan(50);

    LocalDate last = FIRST.plusDays(3);
    assertThat(List.of(warehouse.readDate(Tables.PREDICTIONS, last).columns())).contains("prediction").doesNotContain("probability");
    try (Connection connection = context.database().connect();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(
            "SELECT count(*), count(DISTINCT prediction), min(model_version), max(model_version) FROM serving.flight_delay_minutes")) {
      rows.next();
      assertThat(rows.getLong(1)).isEqualTo(warehouse.readDate(Tables.PREDICTIONS, last).count()).isPositive();
      assertThat(rows.getLong(2)).isGreaterThan(10);
      assertThat(rows.getInt(3)).isEqualTo(training.pick().version());
      assertThat(rows.getInt(4)).isEqualTo(training.pick().version());
    }
    Row performance = warehouse.readDate(Tables.PERFORMANCE_DAILY, last).head();
    assertThat(performance.getDouble(performance.fieldIndex("rmse"))).isBetween(1.0, 200.0);
    assertThat(performance.getDouble(performance.fieldIndex("mae"))).isBetween(1.0, performance.getDouble(performance.fieldIndex("rmse")));
    // R² = 1 - MSE / variance of the labels: below 1, and far below 0 only for a broken model
    assertThat(performance.getDouble(performance.fieldIndex("r2"))).isBetween(-1.0, 1.0);
    assertThat(Math.abs(performance.getDouble(performance.fieldIndex("mean_error")))).isLessThanOrEqualTo(performance.getDouble(performance.fieldIndex("mae")));
    assertThat(performance.isNullAt(performance.fieldIndex("roc_auc"))).isTrue();
  }
}
