package dev.nightcast;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightcast.config.ConfigLoader;
import dev.nightcast.config.EnvConfig;
import dev.nightcast.config.FeatureConfig;
import dev.nightcast.monitoring.Alerts;
import dev.nightcast.monitoring.AlertsTable;
import dev.nightcast.monitoring.PerformanceDailyTable.DailyPerformance;
import dev.nightcast.monitoring.OfflineOnline;
import dev.nightcast.night.Context;
import dev.nightcast.night.NightlyRun;
import dev.nightcast.registry.Registry;
import dev.nightcast.report.ReportData;
import dev.nightcast.report.ReportHtml;
import dev.nightcast.report.ReportReader;
import dev.nightcast.scorecard.EvidenceReader;
import dev.nightcast.scorecard.MlTest;
import dev.nightcast.scorecard.Scorecard;
import dev.nightcast.testing.Chromium;
import dev.nightcast.testing.Fingerprints;
import dev.nightcast.testing.TestPipelines;
import dev.nightcast.testing.TestPostgres;
import dev.nightcast.testing.TestPushgateway;
import dev.nightcast.testing.TestSpark;
import dev.nightcast.training.ImportancesTable.Importance;
import dev.nightcast.warehouse.Tables;
import dev.nightcast.warehouse.Warehouse;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole nightly loop over six sample nights on real components: local Spark, Delta tables in a
 * temp warehouse, an embedded PostgreSQL. Training is due on the fourth night (3-day window of days
 * with complete 1-day delay rates: the first night has no history before it).
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EndToEndTest {
  private static final LocalDate FIRST = LocalDate.parse("2001-01-01");
  private static final LocalDate LAST = LocalDate.parse("2001-01-06");

  @TempDir static Path dir;
  private Context context;
  private Warehouse warehouse;
  private List<NightlyRun.Night> nights;
  private TestPushgateway pushgateway;

  @BeforeAll
  void runNights() throws Exception {
    ConfigLoader.LoadedPipeline pipeline = TestPipelines.small(dir, Map.of("training.importance", Map.of("repeats", 3)));
    pushgateway = TestPushgateway.start(dir.resolve("pushgateway.log"));
    EnvConfig env =
        new EnvConfig(
            dir.resolve("warehouse").toString(), TestPipelines.sampleLanding().toString(),
            new EnvConfig.SparkSettings(null, Map.of()), TestPostgres.settings(), pushgateway.url());
    context = new Context(pipeline, env, Map.of(), TestSpark.session(), false);
    warehouse = context.warehouse();
    NightlyRun run = new NightlyRun(context);
    nights = FIRST.datesUntil(LAST.plusDays(1)).map(run::run).toList();
  }

  @AfterAll
  void stopPushgateway() {
    pushgateway.close();
  }

  @Test
  void trainsOnTheFourthNightAndServesFromThen() throws Exception {
    assertThat(nights.get(0).servingModel()).isEmpty();
    assertThat(nights.get(1).servingModel()).isEmpty();
    // three labelled days by night 3, but 01-01's rates had no history before them
    assertThat(nights.get(2).training()).isEmpty();
    assertThat(nights.get(2).servingModel()).isEmpty();
    assertThat(Files.readString(nights.get(2).log().orElseThrow())).contains(
        "NightlyRun: " + FIRST.plusDays(2) + " train: skipped, not due",
        "NightlyRun: " + FIRST.plusDays(2) + " score: skipped, no champion yet (training needs 3 labelled days with complete history, 2 available;"
            + " incomplete history on 2001-01-01 (not ingested: actuals 2000-12-31))");
    assertThat(nights.get(3).training()).isPresent();
    assertThat(nights.get(3).training().get().promoted()).isPresent();
    int champion = nights.get(3).training().get().promoted().get();
    for (NightlyRun.Night night : nights.subList(3, 6)) {
      assertThat(night.servingModel()).contains(champion);
      assertThat(night.publish()).isPresent();
    }
    Dataset<Row> models = warehouse.read(Tables.MODELS);
    assertThat(models.count()).isEqualTo(2);
    assertThat(models.where(col("decision").equalTo("promoted")).count()).isEqualTo(1);
    Row promoted = models.where(col("version").equalTo(champion)).head();
    assertThat(promoted.getDouble(promoted.fieldIndex("test_auc"))).isBetween(0.5, 1.0);
    // the training rows leave out the first night's, whose rates had no history
    assertThat(promoted.getDate(promoted.fieldIndex("window_start")).toLocalDate()).isEqualTo(FIRST.plusDays(1));
    assertThat(promoted.getLong(promoted.fieldIndex("train_rows")) + promoted.getLong(promoted.fieldIndex("validation_rows"))
        + promoted.getLong(promoted.fieldIndex("test_rows"))).isEqualTo(countParquet(FIRST.plusDays(1)) + countParquet(FIRST.plusDays(2)) + countParquet(FIRST.plusDays(3)));
    assertThat(Registry.champion(warehouse, LAST).map(Registry.Champion::version)).contains(champion);
  }

  @Test
  void servingTableHoldsExactlyTomorrowsScheduledFlights() throws Exception {
    Set<String> scheduled = new HashSet<>();
    TestSpark.session()
        .read().option("header", "true").csv(TestPipelines.sampleLanding().resolve("schedule/" + LAST.plusDays(1) + ".csv.gz").toString())
        .select("flight_id").collectAsList().forEach(row -> scheduled.add(row.getString(0)));
    int champion = nights.get(5).servingModel().orElseThrow();
    Set<String> served = new HashSet<>();
    try (Connection connection = context.database().connect();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT flight_id, probability, model_version, ds FROM serving.flight_delay_predictions")) {
      while (rows.next()) {
        assertThat(served.add(rows.getString(1))).as("keys are unique").isTrue();
        assertThat(rows.getDouble(2)).isBetween(0.0, 1.0);
        assertThat(rows.getInt(3)).isEqualTo(champion);
        assertThat(rows.getDate(4).toLocalDate()).isEqualTo(LAST);
      }
    }
    assertThat(served).hasSize(scheduled.size()).isEqualTo(scheduled);
  }

  @Test
  void everyTableHasTheExpectedRowsPerDate() {
    for (LocalDate ds = FIRST; !ds.isAfter(LAST); ds = ds.plusDays(1)) {
      long schedule = warehouse.readDate(Tables.raw("schedule"), ds).count();
      long actuals = warehouse.readDate(Tables.raw("actuals"), ds).count();
      assertThat(schedule).as("raw_schedule %s", ds).isEqualTo(countCsv(ds.plusDays(1)));
      assertThat(actuals).as("raw_actuals %s", ds).isEqualTo(countParquet(ds));
      assertThat(warehouse.readDate(Tables.FEATURES, ds).count()).as("features %s", ds).isEqualTo(schedule + actuals);
      assertThat(warehouse.readDate(Tables.DATA_QUALITY, ds).select("source").distinct().count()).isEqualTo(2);
      boolean serving = !ds.isBefore(FIRST.plusDays(3));
      assertThat(warehouse.exists(Tables.PREDICTIONS) ? warehouse.readDate(Tables.PREDICTIONS, ds).count() : 0)
          .as("predictions %s", ds).isEqualTo(serving ? schedule : 0);
      // whole population vs the training reference: numeric columns (the numeric features,
      // probability, label) x 7 metrics + categorical features x 6 metrics + drift_share
      Dataset<Row> drift = warehouse.readDate(Tables.DRIFT_DAILY, ds);
      Dataset<Row> whole = drift.where(col("slice_key").isNull());
      // (day_of_week is excluded from drift by the shipped config)
      List<String> excluded = context.pipeline().config().monitoring().drift().exclude();
      assertThat(excluded).containsExactly("day_of_week");
      List<FeatureConfig> monitored = context.pipeline().config().features().stream().filter(f -> !excluded.contains(f.name())).toList();
      long categorical = monitored.stream().filter(FeatureConfig::categorical).count();
      long numeric = monitored.size() - categorical + 2;
      long baseline = numeric * 7 + categorical * 6 + 1;
      assertThat(whole.where(col("comparison").equalTo("BASELINE")).count()).as("baseline drift %s", ds).isEqualTo(serving ? baseline : 0);
      assertThat(whole.where(col("column_name").isin(excluded.toArray())).count()).as("excluded columns %s", ds).isZero();
      // vs the day before: on the first serving night the day before has no probability yet
      boolean previousServed = !ds.isBefore(FIRST.plusDays(4));
      assertThat(whole.where(col("comparison").equalTo("CONSECUTIVE")).count())
          .as("consecutive drift %s", ds).isEqualTo(serving ? baseline - (previousServed ? 0 : 7) : 0);
      for (String comparison : List.of("BASELINE", "CONSECUTIVE")) {
        assertThat(drift.where(col("slice_key").equalTo("origin").and(col("comparison").equalTo(comparison))).select("slice_value").distinct().count())
            .as("%s drift slices %s", comparison, ds).isEqualTo(serving ? 5 : 0);
      }
      // labels for D arrive on night D; predictions for D were made on D-1; the estimate for D was made on D-1
      boolean labelled = !ds.isBefore(FIRST.plusDays(4));
      Dataset<Row> performance = warehouse.readDate(Tables.PERFORMANCE_DAILY, ds);
      // the whole population, the 5 busiest origins and the 4 dayparts
      assertThat(performance.where(col("kind").equalTo("realised")).count()).as("realised %s", ds).isEqualTo(labelled ? 10 : 0);
      assertThat(performance.where(col("kind").equalTo("estimated")).count()).as("estimated %s", ds).isEqualTo(labelled ? 10 : 0);
      // slices and inclusion: the night's slice_gap alerts are the rule's verdict on its own realised rows
      List<DailyPerformance> realised =
          performance.where(col("kind").equalTo("realised")).collectAsList().stream().map(DailyPerformance::fromRow).toList();
      assertThat(warehouse.readDate(Tables.ALERTS, ds).where(col("kind").equalTo("slice_gap")).collectAsList().stream()
              .map(AlertsTable.Alert::fromRow).toList())
          .as("slice gaps %s", ds).containsExactlyInAnyOrderElementsOf(Alerts.sliceGap(ds, realised, context.pipeline().config().monitoring()));
      assertThat(warehouse.readDate(Tables.ALERTS, ds).where(col("kind").equalTo("retrain")).count()).as("retrain %s", ds).isZero();
    }
    assertThat(warehouse.readDate(Tables.PERFORMANCE_DAILY, LAST.plusDays(1)).where(col("kind").equalTo("estimated")).count()).isEqualTo(10);
    Row performance =
        warehouse.readDate(Tables.PERFORMANCE_DAILY, LAST).where(col("kind").equalTo("realised").and(col("slice_key").isNull())).head();
    assertThat(performance.getLong(performance.fieldIndex("rows"))).isEqualTo(countParquet(LAST));
    assertThat(performance.getDouble(performance.fieldIndex("roc_auc"))).isBetween(0.5, 1.0);
    assertThat(performance.getDouble(performance.fieldIndex("false_positive_rate"))).isBetween(0.0, 1.0);
    Row estimate =
        warehouse.readDate(Tables.PERFORMANCE_DAILY, LAST).where(col("kind").equalTo("estimated").and(col("slice_key").isNull())).head();
    assertThat(estimate.getDate(estimate.fieldIndex("predicted_on")).toLocalDate()).isEqualTo(LAST.minusDays(1));
    assertThat(estimate.getDouble(estimate.fieldIndex("accuracy"))).isBetween(0.5, 1.0);
  }

  @Test
  void rerunningANightLeavesEveryTableIdentical() throws Exception {
    Map<String, String> before = new HashMap<>();
    Map<String, Long> versions = new HashMap<>();
    for (String table : Tables.all(context.pipeline().config())) {
      if (!table.equals(Tables.RUNS)) {
        before.put(table, Fingerprints.of(warehouse, table));
        versions.put(table, warehouse.version(table));
      }
    }
    List<Row> servedBefore = serving();
    new NightlyRun(context).run(LAST);
    assertThat(warehouse.version(Tables.PREDICTIONS)).as("the night really ran again").isGreaterThan(versions.get(Tables.PREDICTIONS));
    for (Map.Entry<String, String> table : before.entrySet()) {
      assertThat(Fingerprints.of(warehouse, table.getKey())).as(table.getKey()).isEqualTo(table.getValue());
    }
    assertThat(serving()).isEqualTo(servedBefore);
  }

  @Test
  void theTrainingNightExplainsItsModelsAndAlertsOnFeaturesThatMayNotHelp() {
    Row promoted = warehouse.read(Tables.MODELS).where(col("decision").equalTo("promoted")).head();
    LocalDate trained = promoted.<java.sql.Date>getAs("ds").toLocalDate();
    List<String> features = context.pipeline().config().features().stream().map(FeatureConfig::name).toList();
    List<Importance> importances = warehouse.readDate(Tables.IMPORTANCES, trained).collectAsList().stream().map(Importance::fromRow).toList();
    // both candidates' built-in importances and the pick's permutation importance, per declared feature
    assertThat(importances.stream().filter(i -> !i.isPermutation()).count()).isEqualTo(2L * features.size());
    List<Importance> permutation = importances.stream().filter(Importance::isPermutation).toList();
    assertThat(permutation).extracting(Importance::feature).containsExactlyInAnyOrderElementsOf(features);
    assertThat(permutation).allSatisfy(i -> assertThat(i.version()).isEqualTo(promoted.<Integer>getAs("version")));
    // that night's monitor raised one alert per feature whose interval includes 0, naming it
    assertThat(warehouse.readDate(Tables.ALERTS, trained).where(col("kind").equalTo("feature_importance")).collectAsList())
        .extracting(r -> r.<String>getAs("column_name"))
        .containsExactlyInAnyOrderElementsOf(permutation.stream().filter(i -> i.lower() <= 0).map(Importance::feature).toList());
  }

  @Test
  void theScorecardJudgesEachTestFromTheNightsTablesAndAnEarlierNightScoresLower() {
    Scorecard.Result last = Scorecard.score(EvidenceReader.read(warehouse, context.pipeline().config(), LAST, TestPipelines.root()));
    Scorecard.Result first = Scorecard.score(EvidenceReader.read(warehouse, context.pipeline().config(), FIRST, TestPipelines.root()));
    int champion = Registry.champion(warehouse, LAST).orElseThrow().version();
    int features = context.pipeline().config().features().size();

    // importance repeats 3: a permutation row per feature; the small pipeline has no grid and no per-slice gate
    assertThat(last.finding(MlTest.FEATURES_BENEFICIAL).evidence()).startsWith("importances: " + features + " permutation rows of v" + champion);
    assertThat(last.finding(MlTest.HYPERPARAMETERS_TUNED).status()).isEqualTo(Scorecard.Status.MISSING);
    assertThat(last.finding(MlTest.QUALITY_ON_SLICES).status()).isEqualTo(Scorecard.Status.MISSING);
    // no gate slices, but the monitor judges the declared slices' gaps every night
    assertThat(last.finding(MlTest.INCLUSION).evidence()).startsWith("monitoring.slices max_gap origin {");
    // trained on night 4, realised on nights 5 and 6; published on nights 4 to 6
    assertThat(last.finding(MlTest.STALENESS_IMPACT_KNOWN).evidence()).contains("realised metrics of v" + champion + " at ages 1..2 days");
    assertThat(last.finding(MlTest.ROLLBACK).evidence()).startsWith("runs: 3 published nights");
    assertThat(last.finding(MlTest.QUALITY_VALIDATED_BEFORE_SERVING).evidence()).containsPattern("gate enabled and passed \\(\\d+ reasons\\) on a \\d+-fold backtest");
    for (MlTest test : List.of(MlTest.FEATURE_EXPECTATIONS, MlTest.DATA_INVARIANTS_HOLD, MlTest.NO_TRAINING_SERVING_SKEW, MlTest.TRAINING_REPRODUCIBLE,
        MlTest.DEBUGGABLE, MlTest.CANARIED, MlTest.NOT_TOO_STALE, MlTest.NUMERICALLY_STABLE, MlTest.COMPUTE_NOT_REGRESSED,
        MlTest.PREDICTION_QUALITY_NOT_REGRESSED, MlTest.SIMPLER_MODEL_NOT_BETTER, MlTest.INCLUSION, MlTest.OFFLINE_ONLINE_CORRELATE,
        MlTest.NEW_FEATURES_QUICKLY)) {
      assertThat(last.finding(test).status()).as(test.id() + ": " + last.finding(test).evidence()).isEqualTo(Scorecard.Status.AUTOMATED);
    }
    // the first night: ingested and profiled, nothing trained, served or monitored against a model
    assertThat(first.finding(MlTest.FEATURES_BENEFICIAL).evidence()).isEqualTo("no champion yet (model_events)");
    assertThat(first.finding(MlTest.ROLLBACK).status()).isEqualTo(Scorecard.Status.MISSING);
    for (MlTest.Section section : MlTest.Section.values()) {
      assertThat(first.sections().get(section)).as(section.label).isLessThan(last.sections().get(section));
    }
  }

  /**
   * Runs in any order with the others: its failed night is the day after the last, its bad landing
   * and its Pushgateway are its own, and every other test reads the nights up to the last only
   * (and the serving table, which it asserts it leaves untouched).
   */
  @Test
  void aNightWithTooManyBadRowsStopsBeforeFeaturesAndServingKeepsThePreviousPredictions() throws Exception {
    LocalDate bad = LAST.plusDays(1);
    Path landing = dir.resolve("landing-bad");
    Files.createDirectories(landing.resolve("schedule"));
    Files.createDirectories(landing.resolve("actuals"));
    Files.copy(TestPipelines.sampleLanding().resolve("actuals/" + bad + ".parquet"), landing.resolve("actuals/" + bad + ".parquet"));
    // tomorrow's real schedule with every 20th origin broken: 5% bad rows, above the allowed 1%
    List<String> lines;
    try (var in = new BufferedReader(new InputStreamReader(
        new GZIPInputStream(Files.newInputStream(TestPipelines.sampleLanding().resolve("schedule/" + bad.plusDays(1) + ".csv.gz"))),
        StandardCharsets.UTF_8))) {
      lines = in.lines().toList();
    }
    List<String> broken = new java.util.ArrayList<>(List.of(lines.get(0)));
    for (int i = 1; i < lines.size(); i++) {
      String[] fields = lines.get(i).split(",", -1);
      if (i % 20 == 0) {
        fields[2] = "X1";
      }
      broken.add(String.join(",", fields));
    }
    try (var out = new GZIPOutputStream(Files.newOutputStream(landing.resolve("schedule/" + bad.plusDays(1) + ".csv.gz")))) {
      out.write((String.join("\n", broken) + "\n").getBytes(StandardCharsets.UTF_8));
    }
    List<Row> servedBefore = serving();
    long publishesBefore = publishes();
    try (TestPushgateway badGateway = TestPushgateway.start(dir.resolve("pushgateway-bad.log"))) {
      EnvConfig env = new EnvConfig(
          dir.resolve("warehouse").toString(), landing.toString(), new EnvConfig.SparkSettings(null, Map.of()), TestPostgres.settings(), badGateway.url());
      Context badLanding = new Context(context.pipeline(), env, Map.of(), TestSpark.session(), false);

      assertThatThrownBy(() -> new NightlyRun(badLanding).run(bad))
          .isInstanceOfSatisfying(NightcastException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.BAD_DATA))
          .hasMessageContaining("Cannot ingest source 'schedule' for " + bad)
          .hasMessageContaining("above the allowed 1.00%")
          .hasMessageContaining("origin_pattern")
          .hasMessageContaining("quarantine_schedule");
      // the failed night says so, and sets no last success (PushgatewayTest: nor replaces an earlier one)
      String group = "{instance=\"\",job=\"nightcast\",pipeline=\"" + context.pipeline().config().name() + "\"}";
      assertThat(badGateway.samples())
          .containsEntry("nightcast_run_success" + group, 0.0)
          .containsEntry("nightcast_run_logical_date_seconds" + group, (double) bad.toEpochDay() * 86_400)
          .containsEntry("nightcast_stage_success" + group.replace("}", ",stage=\"ingest\"}"), 0.0);
      assertThat(badGateway.scrape()).doesNotContain("nightcast_last_success").doesNotContain("nightcast_drift_share{");
    }
    long brokenRows = (lines.size() - 1) / 20;
    assertThat(warehouse.readDate(Tables.quarantine("schedule"), bad).count()).isEqualTo(brokenRows);
    assertThat(warehouse.readDate(Tables.raw("schedule"), bad).count()).isZero();
    assertThat(warehouse.readDate(Tables.FEATURES, bad).count()).isZero();
    assertThat(warehouse.readDate(Tables.PREDICTIONS, bad).count()).isZero();
    assertThat(publishes()).isEqualTo(publishesBefore);
    assertThat(serving()).isEqualTo(servedBefore);
  }

  private long publishes() throws Exception {
    try (Connection connection = context.database().connect();
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT count(*) FROM serving.publish_log")) {
      result.next();
      return result.getLong(1);
    }
  }

  @Test
  void runsRecordEveryStageWithRowsAndItsSparkJobGroup() {
    Map<String, Row> stages = new HashMap<>();
    warehouse.readDate(Tables.RUNS, LAST).collectAsList().forEach(row -> stages.put(row.getAs("stage"), row));
    assertThat(stages.keySet()).contains("ingest", "features", "score", "publish", "monitor");
    assertThat(stages.keySet()).as("ingest validates and profiles; no stage of its own").doesNotContain("validate");
    long drops = countCsv(LAST.plusDays(1)) + countParquet(LAST);
    for (Row row : stages.values()) {
      String stage = row.getAs("stage");
      assertThat(row.<String>getAs("status")).as(stage).isEqualTo("succeeded");
      assertThat(row.<String>getAs("spark_job_group")).as(stage).isEqualTo("nightcast-" + LAST + "-" + stage);
      assertThat(row.<java.sql.Timestamp>getAs("ended_at")).as(stage).isAfterOrEqualTo(row.<java.sql.Timestamp>getAs("started_at"));
      assertThat(row.<String>getAs("message")).as(stage).isNull();
    }
    assertThat(stages.get("ingest").<Long>getAs("rows_in")).isEqualTo(drops);
    assertThat(stages.get("ingest").<Long>getAs("rows_out")).isEqualTo(
        warehouse.readDate(Tables.raw("schedule"), LAST).count() + warehouse.readDate(Tables.raw("actuals"), LAST).count());
    assertThat(stages.get("publish").<Long>getAs("rows_in")).isEqualTo(countCsv(LAST.plusDays(1)));
    assertThat(stages.get("publish").<Long>getAs("rows_out")).isEqualTo(countCsv(LAST.plusDays(1)));
    assertThat(stages.get("monitor").<Long>getAs("rows_out")).isEqualTo(
        warehouse.readDate(Tables.DRIFT_DAILY, LAST).count() + warehouse.readDate(Tables.ALERTS, LAST).count()
            + warehouse.read(Tables.PERFORMANCE_DAILY).where(col("ds").equalTo(java.sql.Date.valueOf(LAST)).and(col("kind").equalTo("realised"))
                .or(col("ds").equalTo(java.sql.Date.valueOf(LAST.plusDays(1))).and(col("kind").equalTo("estimated")))).count());
  }

  @Test
  void eachNightPushesItsMetricsToThePushgateway() throws Exception {
    String scraped = pushgateway.scrape();
    String group = "{instance=\"\",job=\"nightcast\",pipeline=\"" + context.pipeline().config().name() + "\"";
    assertThat(scraped)
        .contains("nightcast_run_logical_date_seconds" + group + "} " + gauge(LAST.toEpochDay() * 86_400))
        .contains("nightcast_run_success" + group + "} 1")
        .contains("nightcast_source_rows_in" + group + ",source=\"actuals\"} " + countParquet(LAST))
        .contains("nightcast_source_rows_quarantined" + group + ",source=\"actuals\"} "
            + warehouse.readDate(Tables.quarantine("actuals"), LAST).count())
        .contains("nightcast_stage_rows_out" + group + ",stage=\"publish\"} " + countCsv(LAST.plusDays(1)))
        .contains("nightcast_stage_success" + group + ",stage=\"monitor\"} 1")
        .contains("nightcast_open_alerts_count" + group + "} " + warehouse.readDate(Tables.ALERTS, LAST).count())
        .containsPattern("nightcast_stage_duration_seconds\\{[^}]*stage=\"score\"\\} [0-9.e+-]+\n");
  }

  /** What the alert rules judge is what the night wrote to its tables, with the thresholds of its config. */
  @Test
  void theNightPushesWhatTheAlertRulesJudgeAndItsLastSuccess() throws Exception {
    String pipelineName = context.pipeline().config().name();
    var monitoring = context.pipeline().config().monitoring();
    String labels = "instance=\"\",job=\"nightcast\",pipeline=\"" + pipelineName + "\"";
    Row share = warehouse.readDate(Tables.DRIFT_DAILY, LAST)
        .where(col("slice_key").isNull().and(col("column_name").equalTo("*")).and(col("comparison").equalTo("BASELINE"))).first();
    Row realised = warehouse.readDate(Tables.PERFORMANCE_DAILY, LAST).where(col("kind").equalTo("realised").and(col("slice_key").isNull())).first();
    Registry.Champion champion = Registry.champion(warehouse, LAST).orElseThrow();
    Map<String, Double> samples = pushgateway.samples();
    assertThat(samples)
        .containsEntry("nightcast_drift_share{comparison=\"BASELINE\"," + labels.replace(",pipeline", ",model_version=\"" + share.getAs("model_version")
            + "\",pipeline") + "}", share.<Double>getAs("value"))
        .containsEntry("nightcast_drift_share_threshold{" + labels + "}", monitoring.drift().driftShare())
        .containsEntry("nightcast_realised_performance{" + labels.replace(",pipeline", ",metric=\"roc_auc\",model_version=\""
            + realised.getAs("model_version") + "\",pipeline") + "}", realised.<Double>getAs("roc_auc"))
        .containsEntry("nightcast_performance_floor{bound=\"lower\"," + labels.replace(",pipeline", ",metric=\"roc_auc\",pipeline") + "}",
            monitoring.performanceFloors().get("roc_auc"))
        .containsEntry("nightcast_model_version{" + labels + "}", (double) champion.version())
        .containsEntry("nightcast_model_age_days{" + labels + "}", (double) (LAST.toEpochDay() - champion.trainedOn().toEpochDay()))
        .containsEntry("nightcast_model_max_age_days{" + labels + "}", (double) monitoring.maxModelAgeDays());

    String lastSuccess = "{instance=\"\",job=\"nightcast_last_success\",pipeline=\"" + pipelineName + "\"}";
    assertThat(samples).containsEntry("nightcast_last_success_logical_date_seconds" + lastSuccess, (double) LAST.toEpochDay() * 86_400);
    // the wall clock when the night finished: after its last stage ended
    java.sql.Timestamp lastStageEnded = warehouse.readDate(Tables.RUNS, LAST).agg(max("ended_at")).first().getAs("max(ended_at)");
    assertThat(samples.get("nightcast_last_success_timestamp_seconds" + lastSuccess)).isGreaterThanOrEqualTo(lastStageEnded.getTime() / 1000.0);
  }

  @Test
  void theReportRendersInHeadlessChromium() throws Exception {
    ReportData data = ReportReader.read(warehouse, context.pipeline().config(), FIRST, LAST);
    Path target = TestPipelines.root().resolve("jobs/target");
    Scorecard.Result scorecard = Scorecard.score(EvidenceReader.read(warehouse, context.pipeline().config(), LAST, TestPipelines.root()));
    Path html = Files.writeString(Files.createDirectories(target).resolve("report-end-to-end.html"), ReportHtml.render(data, Optional.of(scorecard)));

    Chromium.Page page = Chromium.dumpDom(html, Files.createDirectories(dir.resolve("chromium")));
    assertThat(page.console()).as("script errors or other console output").isEmpty();
    String dom = page.dom();
    // realised and estimated AUC of the champion for the two labelled nights in the window
    assertThat(section(dom, "performance").split("<circle", -1)).hasSize(1 + 4);
    // every monitored column but those excluded from drift, plus the probability and the label
    long features = context.pipeline().config().features().size() - context.pipeline().config().monitoring().drift().exclude().size() + 2;
    assertThat(section(dom, "drift").split("<rect class=\"cell\"", -1)).hasSize(1 + (int) features * nights.size());
    for (String chart : List.of("quality-volume", "quality-missing", "quality-quarantine")) {
      assertThat(section(dom, chart).split("<circle", -1)).as(chart).hasSize(1 + 2 * nights.size());
    }
    assertThat(dom).contains("<table id=\"models\">").contains("<td>promote</td>").contains("<ul id=\"delivery\">");
    // the champion beside its offline AUC: served on the two labelled nights, its realised AUC their mean
    Registry.Champion champion = Registry.champion(warehouse, LAST).orElseThrow();
    OfflineOnline.Version served = data.versions().stream().filter(v -> v.version() == champion.version()).findFirst().orElseThrow();
    List<Double> realised = data.performance().stream()
        .filter(p -> p.modelVersion() == champion.version() && p.kind().equals("realised")).map(ReportData.PerformancePoint::rocAuc).toList();
    assertThat(realised).hasSize(2);
    assertThat(served.servedDays()).isEqualTo(2);
    assertThat(served.online()).isCloseTo((realised.get(0) + realised.get(1)) / 2, org.assertj.core.api.Assertions.within(1e-12));
    var model = Registry.model(warehouse, champion.version(), "test");
    assertThat(served.offline()).isEqualTo(model.backtestMean() != null ? model.backtestMean() : model.testMetrics().get("auc"));
    assertThat(dom).contains("<table id=\"offline-online\">").contains("<tr><td>v" + champion.version() + "</td>");
    // slices and inclusion of the last night: the whole population, then 5 origins and 4 dayparts
    String slices = dom.replaceAll("(?s).*(<table id=\"slices\">.*?</table>).*", "$1");
    assertThat(slices.split("<tr><td>v", -1)).hasSize(1 + 10);
    assertThat(slices).contains("<td>whole population</td>").contains("<td>daypart=1</td>");
    assertThat(dom.replaceAll("(?s).*<table id=\"scorecard\">(.*?)</table>.*", "$1").split("<tr>", -1)).hasSize(1 + 1 + 28);

    Path png = target.resolve("report-screenshot.png");
    Files.deleteIfExists(png);
    Chromium.screenshot(html, png, 1000, 1800, Files.createDirectories(dir.resolve("chromium")));
    java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(png.toFile());
    assertThat(image.getWidth()).isEqualTo(1000);
    // the series colour of the first model and the source lines, and the heatmap's "none" cells, are painted
    assertThat(pixels(image, 0x1f77b4)).isGreaterThan(500);
    assertThat(pixels(image, 0xe3f2e1)).isGreaterThan(500);
  }

  private static String section(String dom, String id) {
    java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("<svg id=\"" + id + "\".*?</svg>", java.util.regex.Pattern.DOTALL).matcher(dom);
    assertThat(matcher.find()).as("chart %s in the DOM", id).isTrue();
    return matcher.group();
  }

  private static long pixels(java.awt.image.BufferedImage image, int rgb) {
    long n = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        n += (image.getRGB(x, y) & 0xffffff) == rgb ? 1 : 0;
      }
    }
    return n;
  }

  /** A value as the Pushgateway prints it (Go's shortest float formatting for large values). */
  private static String gauge(long value) {
    return String.format(java.util.Locale.ROOT, "%.7e", (double) value).replaceAll("0+e", "e").replace(".e", "e");
  }

  private List<Row> serving() throws Exception {
    List<Row> rows = new java.util.ArrayList<>();
    try (Connection connection = context.database().connect();
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT flight_id, probability, model_version FROM serving.flight_delay_predictions ORDER BY flight_id")) {
      while (result.next()) {
        rows.add(org.apache.spark.sql.RowFactory.create(result.getString(1), result.getDouble(2), result.getInt(3)));
      }
    }
    return rows;
  }

  private static long countCsv(LocalDate flightDate) {
    return TestSpark.session().read().option("header", "true")
        .csv(TestPipelines.sampleLanding().resolve("schedule/" + flightDate + ".csv.gz").toString()).count();
  }

  private static long countParquet(LocalDate flightDate) {
    return TestSpark.session().read().parquet(TestPipelines.sampleLanding().resolve("actuals/" + flightDate + ".parquet").toString()).count();
  }
}
