package dev.nightcast;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nightcast.config.ConfigLoader;
import dev.nightcast.config.EnvConfig;
import dev.nightcast.config.Task;
import dev.nightcast.night.Context;
import dev.nightcast.night.NightlyRun;
import dev.nightcast.testing.Fingerprints;
import dev.nightcast.testing.TestPipelines;
import dev.nightcast.testing.TestSpark;
import dev.nightcast.warehouse.Catalog;
import dev.nightcast.warehouse.Tables;
import dev.nightcast.warehouse.Warehouse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two pipelines on one platform: the flight classifier and the second shipped use case, the NYC
 * arrival-delay regression (its own dataset, JSON drops, landing root of its own), share one
 * warehouse, one catalog and one Postgres. Run at the same moment, each writes exactly the tables
 * and serving rows it writes when it runs alone; the regression trains, serves a {@code prediction}
 * column and monitors it like a classifier: slices, drift of features, prediction and label, alerts.
 */
@Tag("e2e")
class TwoPipelinesTest {
  private static final LocalDate FIRST = LocalDate.parse("2001-01-01");
  private static final LocalDate NYC_FIRST = LocalDate.parse("2013-01-01");
  /**
   * Both train on night 4 (a 3-day window of days with complete 1-day history: night 1 has none
   * before it) and serve; the regression's night 5 meets labels.
   */
  private static final int CLASSIFIER_NIGHTS = 4;
  private static final int REGRESSION_NIGHTS = 5;
  private static final String REGRESSION = "nyc_arrival_delay";

  @TempDir Path dir;

  private ConfigLoader.LoadedPipeline classifier() {
    return TestPipelines.small(dir, Map.of(
        "candidates", List.of(Map.of("name", "logistic_baseline", "algorithm", "logistic_regression", "baseline", true,
            "params", Map.of("maxIter", 20)))));
  }

  /** The shipped NYC pipeline on a 3-day window and 1-day delays (a random forest instead of the GBT grid, for time). */
  private ConfigLoader.LoadedPipeline regression() {
    Map<String, Object> overrides = new java.util.LinkedHashMap<>();
    overrides.put("training.window_days", 3);
    overrides.put("training.validation_days", 0.5);
    overrides.put("training.test_days", 0.5);
    overrides.put("features.6.history.days", 1);
    overrides.put("features.7.history.days", 1);
    overrides.put("candidates.1", Map.of("name", "forest", "algorithm", "random_forest_regressor", "params", Map.of("numTrees", 10, "maxDepth", 4)));
    // a 3-day window is no test of quality: loose bounds, so the gate passes and the night serves
    overrides.put("gate.must_beat_baseline", false);
    overrides.put("gate.thresholds", Map.of("rmse", 200.0));
    overrides.put("gate.slices", Map.of("column", "origin", "top_n", 3, "min_rows", 20, "thresholds", Map.of("rmse", 200.0)));
    // an RMSE ceiling every night breaches and an R² rule that fires on the first labelled night:
    // the regression's performance alert and retrain signal, end to end
    overrides.put("monitoring.performance_floors", Map.of("rmse", 1.0));
    overrides.put("monitoring.retrain_rules", List.of(Map.of("metric", "r2", "threshold", 0.99, "breaches", 1, "lookback_nights", 1)));
    return TestPipelines.shipped(REGRESSION, dir, overrides);
  }

  /** A warehouse and an embedded Postgres of their own under {@code name}. */
  private EnvConfig platform(String name) {
    return new EnvConfig(dir.resolve(name + "/warehouse").toString(), TestPipelines.sampleLanding().toString(),
        new EnvConfig.SparkSettings(null, Map.of()),
        new EnvConfig.PostgresSettings(new EnvConfig.Embedded(dir.resolve(name + "/postgres").toString(), 0), null, null, null), null, null,
        Map.of(REGRESSION, TestPipelines.nycLanding().toString()));
  }

  private static void nights(Context context, LocalDate first, int nights) {
    NightlyRun run = new NightlyRun(context);
    first.datesUntil(first.plusDays(nights)).forEach(run::run);
  }

  @Test
  void twoPipelinesShareAWarehouseACatalogAndAPostgresAtTheSameMomentAndWriteWhatEachWritesAlone() throws Exception {
    ConfigLoader.LoadedPipeline classifier = classifier();
    ConfigLoader.LoadedPipeline regression = regression();
    // each alone on a platform of its own (the two run at the same time only to save the suite's time)
    Map<String, String> classifierAlone;
    Map<String, String> regressionAlone;
    try (Context classifying = new Context(classifier, platform("classifier-alone"), Map.of(), TestSpark.session(), false);
        Context regressing = new Context(regression, platform("regression-alone"), Map.of(), TestSpark.session(), false)) {
      concurrently(() -> nights(classifying, FIRST, CLASSIFIER_NIGHTS), () -> nights(regressing, NYC_FIRST, REGRESSION_NIGHTS));
      classifierAlone = fingerprints(classifying, "flight_delay_predictions");
      regressionAlone = fingerprints(regressing, "nyc_arrival_delay_predictions");
    }

    EnvConfig shared = platform("shared");
    try (Context classifying = new Context(classifier, shared, Map.of(), TestSpark.session(), false);
        Context regressing = new Context(regression, shared, Map.of(), TestSpark.session(), false)) {
      concurrently(() -> nights(classifying, FIRST, CLASSIFIER_NIGHTS), () -> nights(regressing, NYC_FIRST, REGRESSION_NIGHTS));

      // the nights really overlapped
      Row a = span(classifying.warehouse());
      Row b = span(regressing.warehouse());
      assertThat(a.<java.sql.Timestamp>getAs("started").before(b.getAs("ended"))).isTrue();
      assertThat(b.<java.sql.Timestamp>getAs("started").before(a.getAs("ended"))).isTrue();

      // one namespace each, nothing shared at the root
      try (Stream<Path> root = Files.list(Path.of(shared.warehouse()))) {
        assertThat(root.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("flight_delay", REGRESSION);
      }
      assertThat(fingerprints(classifying, "flight_delay_predictions")).isEqualTo(classifierAlone);
      assertThat(fingerprints(regressing, "nyc_arrival_delay_predictions")).isEqualTo(regressionAlone);

      // one catalog: both pipelines by name
      assertThat(Catalog.registerAll(TestSpark.session(), shared.warehouse())).containsExactly("flight_delay", REGRESSION);
      for (Context context : List.of(classifying, regressing)) {
        String name = context.pipeline().config().name();
        LocalDate trained = (context == classifying ? FIRST : NYC_FIRST).plusDays(3);
        assertThat(TestSpark.session().sql("select count(*) from " + name + ".predictions where ds = '" + trained + "'").head().getLong(0))
            .as(name).isEqualTo(context.warehouse().readDate(Tables.PREDICTIONS, trained).count()).isPositive();
      }
      regressionTrainsServesAndMonitors(regressing);
    }

    // the platform moved elsewhere (a restored backup), its old place gone: the catalog registers its tables there
    Map<String, Long> rows = new java.util.TreeMap<>();
    for (String name : List.of("flight_delay", REGRESSION)) {
      rows.put(name, TestSpark.session().sql("select count(*) from " + name + ".predictions").head().getLong(0));
    }
    Path moved = Files.move(Path.of(shared.warehouse()), dir.resolve("moved"));
    assertThat(Catalog.registerAll(TestSpark.session(), moved.toString())).containsExactly("flight_delay", REGRESSION);
    for (String name : rows.keySet()) {
      assertThat(TestSpark.session().sql("select count(*) from " + name + ".predictions").head().getLong(0)).as(name)
          .isEqualTo(rows.get(name)).isPositive();
      assertThat(TestSpark.session().sql("select * from " + name + ".predictions").inputFiles()).as(name)
          .allMatch(file -> file.contains("/moved/" + name + "/predictions/"));
    }
  }

  /** Runs both from the same moment on two threads; fails with the first one's failure. */
  private static void concurrently(Runnable a, Runnable b) throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(2);
    CyclicBarrier start = new CyclicBarrier(2);
    try {
      List<Future<?>> running = new java.util.ArrayList<>();
      for (Runnable task : List.of(a, b)) {
        running.add(threads.submit(() -> {
          start.await();
          task.run();
          return null;
        }));
      }
      for (Future<?> task : running) {
        task.get();
      }
    } finally {
      threads.shutdownNow();
    }
  }

  /** Every table but runs (one row per attempt) and the serving view's rows. */
  private static Map<String, String> fingerprints(Context context, String servingTable) throws Exception {
    Warehouse warehouse = context.warehouse();
    Map<String, String> fingerprints = new java.util.TreeMap<>(
        Fingerprints.of(warehouse, Tables.all(context.pipeline().config()).stream().filter(table -> !table.equals(Tables.RUNS)).toList()));
    assertThat(fingerprints).containsKeys(Tables.MODELS, Tables.PREDICTIONS, Tables.PERFORMANCE_DAILY);
    try (Connection connection = context.database().connect();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT count(*), sum(hashtext(t::text)::numeric) FROM serving." + servingTable + " t")) {
      rows.next();
      assertThat(rows.getLong(1)).isPositive();
      fingerprints.put("serving." + servingTable, rows.getLong(1) + ":" + rows.getBigDecimal(2));
    }
    return fingerprints;
  }

  private static Row span(Warehouse warehouse) {
    return warehouse.read(Tables.RUNS).selectExpr("min(started_at) as started", "max(ended_at) as ended").head();
  }

  private static void regressionTrainsServesAndMonitors(Context context) throws Exception {
    Warehouse warehouse = context.warehouse();
    LocalDate fourth = NYC_FIRST.plusDays(3);
    Row trained = warehouse.read(Tables.MODELS).where(col("ds").equalTo(java.sql.Date.valueOf(fourth)).and(col("decision").equalTo("promoted"))).head();
    int version = trained.getAs("version");
    assertThat(trained.<String>getAs("task")).isEqualTo(Task.REGRESSION.yaml());
    assertThat(trained.isNullAt(trained.fieldIndex("test_auc"))).isTrue();
    assertThat(trained.isNullAt(trained.fieldIndex("calibration"))).as("no probabilities to calibrate").isTrue();
    for (Row candidate : warehouse.read(Tables.MODELS).where(col("ds").equalTo(java.sql.Date.valueOf(fourth))).collectAsList()) {
      Map<String, Double> test = scala.jdk.javaapi.CollectionConverters.asJava(candidate.<scala.collection.Map<String, Double>>getAs("test_metrics"));
      assertThat(test).containsKeys("rmse", "mae", "r2");
      assertThat(test.get("rmse")).as(candidate.<String>getAs("candidate")).isBetween(1.0, 200.0);
    }

    // the label is the raw delay in minutes, not a 0/1 flag
    Row labels = warehouse.readDate(Tables.FEATURES, NYC_FIRST).where(col("role").equalTo("labelled")).agg(
        org.apache.spark.sql.functions.max("label"), org.apache.spark.sql.functions.countDistinct("label")).head();
    assertThat(labels.getDouble(0)).isGreaterThan(60);
    assertThat(labels.getLong(1)).isGreaterThan(50);

    LocalDate last = NYC_FIRST.plusDays(REGRESSION_NIGHTS - 1);
    assertThat(List.of(warehouse.readDate(Tables.PREDICTIONS, last).columns())).contains("prediction").doesNotContain("probability");
    try (Connection connection = context.database().connect();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(
            "SELECT count(*), count(DISTINCT prediction), min(model_version), max(model_version) FROM serving.nyc_arrival_delay_predictions")) {
      rows.next();
      assertThat(rows.getLong(1)).isEqualTo(warehouse.readDate(Tables.PREDICTIONS, last).count()).isPositive();
      assertThat(rows.getLong(2)).isGreaterThan(10);
      assertThat(rows.getInt(3)).isEqualTo(version);
      assertThat(rows.getInt(4)).isEqualTo(version);
    }
    Row performance = warehouse.readDate(Tables.PERFORMANCE_DAILY, last).where(col("slice_key").isNull().and(col("kind").equalTo("realised"))).head();
    assertThat(performance.<Double>getAs("rmse")).isBetween(1.0, 200.0);
    assertThat(performance.<Double>getAs("mae")).isBetween(1.0, performance.<Double>getAs("rmse"));
    // R² = 1 - MSE / variance of the labels: below 1, and far below 0 only for a broken model
    assertThat(performance.<Double>getAs("r2")).isBetween(-1.0, 1.0);
    assertThat(Math.abs(performance.<Double>getAs("mean_error"))).isLessThanOrEqualTo(performance.<Double>getAs("mae"));
    assertThat(performance.isNullAt(performance.fieldIndex("roc_auc"))).isTrue();

    // on a par with classification: the gate's slices, performance per slice, drift of the features, the prediction
    // and the label, and alerts from the regression's own metrics
    assertThat(trained.getList(trained.fieldIndex("gate_reasons")).stream().map(String::valueOf).filter(r -> r.contains("slice origin=")))
        .hasSize(3).allMatch(r -> r.startsWith("PASS") && r.contains(" rmse "));
    List<Row> slices = warehouse.readDate(Tables.PERFORMANCE_DAILY, last).where(col("slice_key").equalTo("origin")).collectAsList();
    // the three New York airports partition the flights
    assertThat(slices).extracting(row -> row.<String>getAs("slice_value")).containsExactlyInAnyOrder("EWR", "JFK", "LGA");
    assertThat(slices).allSatisfy(row -> assertThat(row.<Double>getAs("rmse")).isPositive());
    assertThat(slices.stream().mapToLong(row -> row.<Long>getAs("rows")).sum()).isEqualTo(performance.<Long>getAs("rows"));
    List<String> drifted = warehouse.readDate(Tables.DRIFT_DAILY, last)
        .where(col("slice_key").isNull().and(col("comparison").equalTo("BASELINE")).and(col("model_version").equalTo(version)))
        .select("column_name").distinct().as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
    assertThat(drifted).contains("prediction", "label", "distance", "carrier", "route_delay_7d");
    Map<String, String> alerts = new java.util.TreeMap<>();
    warehouse.readDate(Tables.ALERTS, last).collectAsList().forEach(row -> alerts.put(row.<String>getAs("kind"), row.<String>getAs("metric")));
    assertThat(alerts).containsEntry("performance", "rmse").containsEntry("retrain", "r2");
  }
}
