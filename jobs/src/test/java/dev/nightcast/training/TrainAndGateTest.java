package dev.nightcast.training;

import static org.apache.spark.ml.functions.vector_to_array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.expr;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nightcast.ExitCode;
import dev.nightcast.NightcastException;
import dev.nightcast.config.ConfigLoader;
import dev.nightcast.config.EnvConfig;
import dev.nightcast.config.PipelineConfig;
import dev.nightcast.features.Features;
import dev.nightcast.features.FeaturesTable;
import dev.nightcast.monitoring.AlertsTable.Alert;
import dev.nightcast.monitoring.AlertsTable;
import dev.nightcast.monitoring.ReferenceProfile;
import dev.nightcast.night.Context;
import dev.nightcast.night.NightlyRun;
import dev.nightcast.night.StageName;
import dev.nightcast.registry.Registry;
import dev.nightcast.scoring.Score;
import dev.nightcast.testing.Cli;
import dev.nightcast.testing.TestPipelines;
import dev.nightcast.testing.TestPostgres;
import dev.nightcast.testing.TestSpark;
import dev.nightcast.warehouse.Sessions;
import dev.nightcast.warehouse.Tables;
import dev.nightcast.warehouse.Warehouse;
import java.nio.file.Path;
import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training, the promotion gate and the registry on real Spark and Delta over the sample's first
 * five nights (3-day windows of days with complete 1-day delay rates: nights 2-4 are the first). The
 * fixture ingests the five nights and trains the first model on night 4, once; the tests read it in
 * any order: a re-run of night 4 reuses night 4's version numbers and leaves its registry rows as
 * they were, and night 5's story (a degraded candidate, a slice failure, dry_run and rollback: each
 * training of night 5 replaces the previous one's registry rows and training event) is one test of
 * four steps, as it is one sequence.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TrainAndGateTest {
  private static final java.util.concurrent.atomic.AtomicInteger ATTEMPTS = new java.util.concurrent.atomic.AtomicInteger();
  private static final LocalDate FIRST = LocalDate.parse("2001-01-01");
  /** The first day with complete (1-day) delay rates: the sample's first day has no history before it. */
  private static final LocalDate COMPLETE = FIRST.plusDays(1);
  private static final LocalDate TRAINED = FIRST.plusDays(3);
  private static final LocalDate NEXT = FIRST.plusDays(4);
  /** Random labels with the sample's positive rate: whatever learns from them has no skill. */
  private static final UnaryOperator<Dataset<Row>> SHUFFLED_LABELS =
      rows -> rows.withColumn(Features.LABEL, expr("cast(rand(7) < 0.2 as double)"));

  @TempDir static Path dir;
  private Warehouse warehouse;
  private ConfigLoader.LoadedPipeline loaded;
  private PipelineConfig pipeline;
  private EnvConfig env;
  private Train.Result first;
  private NightlyRun run;

  @BeforeAll
  void ingestFiveNightsAndTrainTheFirstModel() {
    // the baseline is tuned over a grid; a LinearSVC joins (scored by the logistic of its margin)
    loaded =
        TestPipelines.small(
            dir,
            Map.of(
                "candidates.0.params", Map.of("maxIter", 20),
                "candidates.0.grid", Map.of("regParam", List.of(0.1, 0.01)),
                "candidates.2", Map.of("name", "svc", "algorithm", "linear_svc", "params", Map.of("maxIter", 10))));
    pipeline = loaded.config();
    env =
        new EnvConfig(dir.resolve("warehouse").toString(), TestPipelines.sampleLanding().toString(),
            new EnvConfig.SparkSettings(null, Map.of()), TestPostgres.settings());
    Context context = new Context(loaded, env, Map.of(), TestSpark.session(), false);
    warehouse = context.warehouse();
    run = new NightlyRun(context);
    for (LocalDate ds = FIRST; !ds.isAfter(NEXT); ds = ds.plusDays(1)) {
      run.runStage(StageName.INGEST, ds);
      run.runStage(StageName.FEATURES, ds);
    }
    first = train(pipeline, TRAINED, UnaryOperator.identity());
  }

  /** Each training is an attempt of its own, as every nightcast run is (its artifacts go to a folder of their own). */
  private Train.Result train(PipelineConfig config, LocalDate ds, UnaryOperator<Dataset<Row>> trainRows) {
    return Train.run(
        warehouse, config, loaded.sha256(), "test+commit", ds, "run-" + ds + "-" + ATTEMPTS.incrementAndGet(),
        (train, pick) -> ReferenceProfile.write(warehouse, config, ds, train, pick), trainRows);
  }

  private static Double[] boxed(double[] values) {
    return java.util.Arrays.stream(values).boxed().toArray(Double[]::new);
  }

  private PipelineConfig with(Map<String, Object> overrides) {
    return TestPipelines.small(dir, overrides).config();
  }

  @Test
  void theFirstModelIsPromotedExplicitlyWithItsLineage() throws Exception {
    assertThat(first.candidates()).hasSize(3);
    assertThat(first.promoted()).contains(first.pick().version());
    assertThat(first.decision().reasons()).anyMatch(r -> r.startsWith("PASS first model: no champion yet"));
    assertThat(first.champion()).isEmpty();
    assertThat(Registry.champion(warehouse, TRAINED).map(Registry.Champion::version)).contains(first.pick().version());

    Train.Candidate baseline = first.candidates().get(0);
    assertThat(baseline.tuning()).hasSize(2);
    assertThat(baseline.tuning()).extracting(t -> t.params().get("regParam")).containsExactly(0.1, 0.01);
    for (Train.Candidate candidate : first.candidates()) {
      assertThat(candidate.test().metrics().get("auc")).as(candidate.config().name()).isBetween(0.5, 1.0);
      assertThat(candidate.validation()).containsKeys("auc", "average_precision");
    }
    // the seconds of each step, in the order they ran; fitting the three candidates' grids takes time
    assertThat(first.seconds().keySet()).containsExactly(
        "window and preprocessing", "candidates", "champion comparison", "backtests", "gate", "importances", "reference", "registry");
    assertThat(first.seconds().values()).allSatisfy(seconds -> assertThat(seconds).isNotNegative());
    assertThat(first.seconds().get("candidates")).isPositive();

    Row row = Registry.model(warehouse, first.pick().version(), "read").toRow();
    assertThat(row.getString(row.fieldIndex("decision"))).isEqualTo("promoted");
    assertThat(row.<String>getList(row.fieldIndex("feature_names")))
        .containsExactlyElementsOf(Features.names(pipeline));
    ObjectMapper json = new ObjectMapper();
    Map<String, Object> imputation = json.readValue(row.getString(row.fieldIndex("imputation")), new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() {});
    assertThat(imputation.keySet()).containsExactlyInAnyOrderElementsOf(
        pipeline.features().stream().filter(dev.nightcast.config.FeatureConfig::learnedImputation).map(dev.nightcast.config.FeatureConfig::name).toList());
    assertThat(((Number) imputation.get("day_of_week")).doubleValue()).isBetween(1.0, 7.0);
    Map<String, Object> inputs = json.readValue(row.getString(row.fieldIndex("input_versions")), new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() {});
    assertThat(inputs.keySet()).containsExactlyInAnyOrder("features", "raw_actuals", "raw_schedule");
    assertThat(((Number) inputs.get("features")).longValue()).isEqualTo(warehouse.version(Tables.FEATURES));
    assertThat(row.getString(row.fieldIndex("code_version"))).isEqualTo("test+commit");
    assertThat(row.getString(row.fieldIndex("config_sha256"))).isEqualTo(loaded.sha256());
    assertThat(row.getString(row.fieldIndex("reference_profile"))).startsWith("reference_profiles ds=" + TRAINED + " version=");
    assertThat(row.getDate(row.fieldIndex("window_start")).toLocalDate()).isEqualTo(COMPLETE);
    // the isotonic calibration for the label-free estimates, a non-decreasing rate per bin, fitted on
    // the pick's scores of the validation window it was picked on: never on the test window
    List<Double> calibration = row.getList(row.fieldIndex("calibration"));
    assertThat(calibration).hasSize(Calibration.BINS).allSatisfy(rate -> assertThat(rate).isBetween(0.0, 1.0)).isSorted();
    assertThat(calibration.get(0)).isLessThan(calibration.get(Calibration.BINS - 1));
    Split split = Split.of(COMPLETE, TRAINED, pipeline.training().validationDays(), pipeline.training().testDays());
    Dataset<Row> window =
        warehouse.read(Tables.FEATURES)
            .where(col("role").equalTo(Features.LABELLED).and(col(Features.LABEL).isNotNull())
                .and(col("ds").between(java.sql.Date.valueOf(COMPLETE), java.sql.Date.valueOf(TRAINED))));
    Dataset<Row> validation = Train.scoreTest(first.pick().model(), split.validation(window, pipeline.eventTime()), pipeline, null);
    Dataset<Row> test = Train.scoreTest(first.pick().model(), split.test(window, pipeline.eventTime()), pipeline, null);
    assertThat(calibration).containsExactly(boxed(Calibration.fit(validation, col(Metrics.SCORE), Calibration.BINS)));
    assertThat(calibration).isNotEqualTo(List.of(boxed(Calibration.fit(test, col(Metrics.SCORE), Calibration.BINS))));
    assertThat(row.getMap(row.fieldIndex("test_metrics")).get("auc").get()).isEqualTo(first.pick().test().metrics().get("auc"));
    assertThat(row.<String>getList(row.fieldIndex("gate_reasons"))).isEqualTo(first.decision().reasons());
    assertThat(warehouse.readDate(Tables.MODELS, TRAINED).where(col("decision").equalTo("not_selected")).count()).isEqualTo(2);
    theBacktestRefitsThePicksRecipeOnRollingOriginsAndStoresEachFold(row);

    // every served score is in [0,1], the LinearSVC's too
    Dataset<Row> scoring = warehouse.readDate(Tables.FEATURES, TRAINED).where(col("role").equalTo(Features.SCORING));
    for (Train.Candidate candidate : first.candidates()) {
      Row range = Score.score(candidate.model(), candidate.version(), scoring, pipeline).agg(expr("min(probability)"), expr("max(probability)")).head();
      assertThat(range.getDouble(0)).as(candidate.config().name()).isGreaterThanOrEqualTo(0.0);
      assertThat(range.getDouble(1)).as(candidate.config().name()).isLessThanOrEqualTo(1.0).isGreaterThan(range.getDouble(0));
    }
  }

  /**
   * Three folds of test_days (0.3 days) each, the last ending with the window: fold i fits on the
   * window's rows before its origin and evaluates on the 0.3 days after it. The table holds every
   * fold's metrics, and each metric's mean and t interval over the folds; the pick's registry row the
   * primary metric's.
   */
  private void theBacktestRefitsThePicksRecipeOnRollingOriginsAndStoresEachFold(Row registered) {
    Backtest.Result backtest = first.backtest().orElseThrow();
    assertThat(first.championBacktest()).isEmpty();
    java.time.LocalDateTime end = NEXT.atStartOfDay();
    assertThat(backtest.folds()).extracting(Backtest.Fold::origin)
        .containsExactly(end.minusMinutes(3 * 432), end.minusMinutes(2 * 432), end.minusMinutes(432));
    Dataset<Row> window =
        warehouse.read(Tables.FEATURES)
            .where(col("role").equalTo(Features.LABELLED).and(col(Features.LABEL).isNotNull())
                .and(col("ds").between(java.sql.Date.valueOf(COMPLETE), java.sql.Date.valueOf(TRAINED))));
    for (Backtest.Fold fold : backtest.folds()) {
      Split split = new Split(COMPLETE.atStartOfDay(), fold.origin(), fold.origin(), fold.until());
      assertThat(fold.trainRows()).isEqualTo(split.train(window, pipeline.eventTime()).count());
      assertThat(fold.rows()).isEqualTo(split.test(window, pipeline.eventTime()).count()).isPositive();
      assertThat(fold.metrics().get("auc")).isBetween(0.5, 1.0);
    }
    double[] aucs = backtest.folds().stream().mapToDouble(f -> f.metrics().get("auc")).toArray();
    Backtest.Summary auc = backtest.summary().get("auc");
    assertThat(auc).isEqualTo(Backtest.summarize(aucs));
    assertThat(auc.lower()).isLessThan(auc.mean());
    assertThat(auc.upper()).isGreaterThan(auc.mean());

    List<Row> rows = warehouse.readDate(Tables.BACKTESTS, TRAINED).orderBy("fold", "metric").collectAsList();
    assertThat(rows).hasSize(3 * 2);
    for (Row row : rows) {
      Backtest.Fold fold = backtest.folds().get(row.<Integer>getAs("fold") - 1);
      String metric = row.getAs("metric");
      assertThat(row.<Integer>getAs("version")).isEqualTo(first.pick().version());
      assertThat(row.<String>getAs("role")).isEqualTo("pick");
      assertThat(row.<java.time.LocalDateTime>getAs("origin")).isEqualTo(fold.origin());
      assertThat(row.<Long>getAs("rows")).isEqualTo(fold.rows());
      assertThat(row.<Double>getAs("value")).isEqualTo(fold.metrics().get(metric));
      assertThat(row.<Double>getAs("mean")).isEqualTo(backtest.summary().get(metric).mean());
      assertThat(row.<Double>getAs("lower")).isEqualTo(backtest.summary().get(metric).lower());
      assertThat(row.<Integer>getAs("folds")).isEqualTo(3);
    }
    assertThat(registered.<Double>getAs("backtest_mean")).isEqualTo(auc.mean());
    assertThat(registered.<Double>getAs("backtest_upper")).isEqualTo(auc.upper());
    assertThat(registered.<Double>getAs("champion_difference")).isNull();
    assertThat(first.decision().reasons()).first().asString().startsWith(String.format("PASS backtest mean auc %.4f >= 0.5000 (3 folds", auc.mean()));
  }

  /**
   * A re-run of night 4 on the same rows, rewritten night by night into one file each and in reverse
   * key order (as a compaction would leave them): the same versions, parameters, metrics and
   * predictions, and the registry rows as they were. One training shows both that training is
   * deterministic and that it reads the rows into its own layout.
   */
  @Test
  void retrainingOnTheSameRowsInAnotherFileLayoutGivesTheSameModels() {
    List<Row> registered = registry(TRAINED);
    int filesBefore = warehouse.read(Tables.FEATURES).inputFiles().length;
    for (LocalDate ds = FIRST; !ds.isAfter(NEXT); ds = ds.plusDays(1)) {
      Dataset<Row> night = warehouse.readDate(Tables.FEATURES, ds);
      List<Row> rows = night.orderBy(col(pipeline.entityKey()).desc()).collectAsList();
      warehouse.replaceDate(FeaturesTable.CONTRACT, ds, TestSpark.session().createDataFrame(rows, night.schema()).coalesce(1));
    }
    assertThat(warehouse.read(Tables.FEATURES).inputFiles().length).isEqualTo(5).isLessThan(filesBefore);
    Train.Result again = train(pipeline, TRAINED, UnaryOperator.identity());
    Dataset<Row> scoring = warehouse.readDate(Tables.FEATURES, NEXT).where(col("role").equalTo(Features.SCORING));
    for (int i = 0; i < first.candidates().size(); i++) {
      Train.Candidate before = first.candidates().get(i);
      Train.Candidate after = again.candidates().get(i);
      assertThat(after.version()).as(before.config().name()).isEqualTo(before.version());
      assertThat(after.params()).as(before.config().name()).isEqualTo(before.params());
      assertThat(after.validation()).as(before.config().name()).isEqualTo(before.validation());
      assertThat(after.test()).as(before.config().name()).isEqualTo(before.test());
      Dataset<Row> predictedBefore = Score.score(before.model(), before.version(), scoring, pipeline);
      Dataset<Row> predictedAfter = Score.score(after.model(), after.version(), scoring, pipeline);
      assertThat(predictedBefore.count()).isPositive();
      assertThat(predictedBefore.exceptAll(predictedAfter).count()).as(before.config().name()).isZero();
      assertThat(predictedAfter.exceptAll(predictedBefore).count()).as(before.config().name()).isZero();
    }
    assertThat(registry(TRAINED)).isEqualTo(registered);
  }

  /**
   * Night 5, in sequence (each step reads what the one before left): the gate rejects a candidate
   * with no skill, then one that fails a slice, and the champion keeps serving; dry_run promotes a
   * failing one; rollback serves the champion before it again.
   */
  @Test
  void nightFiveTheGateRejectsTwiceDryRunPromotesAndRollbackRestoresTheChampion() {
    aCandidateTrainedOnShuffledLabelsIsRejectedAndTheChampionKeepsServing();
    Train.Result asGood = aSliceBelowItsThresholdRejectsACandidateThatPassesOverall();
    dryRunRecordsAFailedGateButPromotes();
    rollbackServesThePreviousChampionFromTheGivenNight();
    aRetrainAsGoodAsTheChampionIsPromotedThoughItsTestWindowIsHard(asGood);
  }

  private void aCandidateTrainedOnShuffledLabelsIsRejectedAndTheChampionKeepsServing() {
    int champion = first.pick().version();
    Train.Result degraded = train(pipeline, NEXT, SHUFFLED_LABELS);
    assertThat(degraded.pick().test().metrics().get("auc")).isBetween(0.4, 0.58);
    assertThat(degraded.promoted()).isEmpty();
    assertThat(degraded.decision().label()).isEqualTo("rejected");
    assertThat(degraded.champion()).map(Gate.ChampionEvaluation::version).contains(champion);
    assertThat(degraded.decision().reasons())
        .anyMatch(r -> r.startsWith("FAIL test auc") && r.contains("vs champion v" + champion));
    // shown worse: the whole paired interval lies below minus the allowed regression
    Gate.Interval paired = degraded.champion().orElseThrow().paired().overall();
    assertThat(paired.upper()).isLessThan(-pipeline.gate().maxRegression());
    assertThat(paired.lower()).isLessThan(paired.estimate());
    assertThat(paired.estimate())
        .isEqualTo(degraded.pick().test().metrics().get("auc") - degraded.champion().orElseThrow().evaluation().metrics().get("auc"));
    Row registered = Registry.model(warehouse, degraded.pick().version(), "read").toRow();
    assertThat(registered.<Double>getAs("champion_difference_upper")).isEqualTo(paired.upper());
    assertThat(registered.<Double>getAs("champion_difference_lower")).isEqualTo(paired.lower());
    // the shuffled labels reach the backtest's folds too: the recipe has no skill there either
    assertThat(degraded.backtest().orElseThrow().summary().get("auc").mean()).isBetween(0.4, 0.6);
    assertThat(degraded.championBacktest().orElseThrow().summary().get("auc").mean()).isGreaterThan(0.6);
    assertThat(warehouse.readDate(Tables.BACKTESTS, NEXT).select("role").distinct().collectAsList())
        .extracting(r -> r.getString(0)).containsExactlyInAnyOrder("pick", "champion");
    assertThat(Registry.champion(warehouse, NEXT).map(Registry.Champion::version)).contains(champion);
    Row event = warehouse.readDate(Tables.MODEL_EVENTS, NEXT).head();
    assertThat(event.getString(event.fieldIndex("event"))).isEqualTo(Registry.REJECT);
    assertThat(event.getInt(event.fieldIndex("previous_version"))).isEqualTo(champion);

    Score.run(warehouse, pipeline, Registry.champion(warehouse, NEXT).orElseThrow(), NEXT);
    assertThat(warehouse.readDate(Tables.PREDICTIONS, NEXT).select("model_version").distinct().collectAsList())
        .extracting(r -> r.getInt(0)).containsExactly(champion);
    assertThatThrownBy(() -> Registry.promote(warehouse, degraded.pick().version(), NEXT, "try", "test"))
        .isInstanceOf(NightcastException.class).hasMessageContaining("the promotion gate rejected it");
  }

  /** @return the (rejected) training: its pick is as good as the champion overall */
  private Train.Result aSliceBelowItsThresholdRejectsACandidateThatPassesOverall() {
    PipelineConfig sliced =
        with(Map.of("gate.slices", Map.of("column", "origin", "top_n", 3, "min_rows", 50, "thresholds", Map.of("auc", 0.99))));
    Train.Result result = train(sliced, NEXT, UnaryOperator.identity());
    assertThat(result.pick().test().slices()).hasSize(3);
    assertThat(result.decision().reasons()).anyMatch(r -> r.startsWith("PASS test auc"));
    assertThat(result.decision().reasons()).filteredOn(r -> r.startsWith("FAIL")).isNotEmpty()
        .allMatch(r -> r.startsWith("FAIL slice origin="));
    assertThat(result.promoted()).isEmpty();
    Row row = Registry.model(warehouse, result.pick().version(), "read").toRow();
    assertThat(row.getString(row.fieldIndex("slice_metrics"))).contains("\"auc\"");
    assertThat(Registry.champion(warehouse, NEXT).map(Registry.Champion::version)).contains(first.pick().version());
    // the champion's slices are compared on the same rows too
    assertThat(result.champion().orElseThrow().paired().slices().keySet()).isEqualTo(result.pick().test().slices().keySet());
    return result;
  }

  /**
   * The same recipe retrained a day later, gated with a floor between its test window's AUC and its
   * backtest mean: the floor reads the backtest mean and the champion check the paired interval,
   * so one hard window does not reject it.
   */
  private void aRetrainAsGoodAsTheChampionIsPromotedThoughItsTestWindowIsHard(Train.Result asGood) {
    double test = asGood.pick().test().metrics().get("auc");
    double backtest = asGood.backtest().orElseThrow().summary().get("auc").mean();
    assertThat(backtest).as("the fixture's test window is harder than its backtest folds").isGreaterThan(test);
    double floor = (test + backtest) / 2;
    Train.Result result = train(with(Map.of("gate.thresholds", Map.of("auc", floor))), NEXT, UnaryOperator.identity());
    assertThat(result.pick().test().metrics().get("auc")).isEqualTo(test).isLessThan(floor);
    assertThat(result.decision().reasons()).first().asString().startsWith(String.format("PASS backtest mean auc %.4f >= %.4f", backtest, floor));
    Gate.Interval paired = result.champion().orElseThrow().paired().overall();
    assertThat(paired.lower()).isLessThan(paired.upper());
    assertThat(paired.upper()).isGreaterThanOrEqualTo(-pipeline.gate().maxRegression());
    assertThat(result.promoted()).contains(result.pick().version());
  }

  private void dryRunRecordsAFailedGateButPromotes() {
    Train.Result result = train(with(Map.of("gate.mode", "dry_run")), NEXT, SHUFFLED_LABELS);
    assertThat(result.decision().passed()).isFalse();
    assertThat(result.promoted()).contains(result.pick().version());
    assertThat(result.reason()).startsWith("promoted despite a failed gate (dry_run)");
    Row row = Registry.model(warehouse, result.pick().version(), "read").toRow();
    assertThat(row.getString(row.fieldIndex("decision"))).isEqualTo("promoted_dry_run");
    assertThat(row.getBoolean(row.fieldIndex("gate_passed"))).isFalse();
    assertThat(row.getString(row.fieldIndex("gate_mode"))).isEqualTo("dry_run");
    assertThat(Registry.champion(warehouse, NEXT).map(Registry.Champion::version)).contains(result.pick().version());
  }

  private void rollbackServesThePreviousChampionFromTheGivenNight() {
    int dryRunChampion = Registry.champion(warehouse, NEXT).orElseThrow().version();
    Registry.Champion back = Registry.rollback(warehouse, NEXT, "dry-run model misbehaves", "oncall");
    assertThat(back.version()).isEqualTo(first.pick().version()).isNotEqualTo(dryRunChampion);
    List<Row> events = warehouse.readDate(Tables.MODEL_EVENTS, NEXT).orderBy("seq").collectAsList();
    assertThat(events).extracting(r -> r.getString(2)).containsExactly(Registry.PROMOTE, Registry.ROLLBACK);
    assertThat(events.get(1).getString(6)).isEqualTo("oncall");
    assertThat(events.get(1).getInt(4)).isEqualTo(dryRunChampion);
    // the night before is untouched; the rolled-back night scores with the previous champion
    assertThat(Registry.events(warehouse, TRAINED)).hasSize(1);
    assertThat(Registry.champion(warehouse, TRAINED).map(Registry.Champion::version)).contains(first.pick().version());
    Score.run(warehouse, pipeline, Registry.champion(warehouse, NEXT).orElseThrow(), NEXT);
    assertThat(warehouse.readDate(Tables.PREDICTIONS, NEXT).select("model_version").distinct().collectAsList())
        .extracting(r -> r.getInt(0)).containsExactly(first.pick().version());
    assertThatThrownBy(() -> Registry.rollback(warehouse, NEXT, "again", "oncall"))
        .isInstanceOf(NightcastException.class).hasMessageContaining("has no previous champion");
  }

  @Test
  void aNightBeforeTheWindowHasCompleteHistoryIsNotDueAndRefusesToTrainSayingWhy() {
    // night 3 has three labelled days, but the rates of 01-01 had no history before them
    LocalDate third = FIRST.plusDays(2);
    assertThat(TrainingSchedule.due(warehouse, pipeline, third)).isEmpty();
    assertThat(TrainingSchedule.window(warehouse, pipeline, third).incomplete()).containsExactly(FIRST);
    assertThat(TrainingSchedule.due(warehouse, pipeline, TRAINED)).hasValueSatisfying(
        why -> assertThat(why).contains("3 labelled days with complete history"));
    assertThatThrownBy(() -> run.runStage(StageName.TRAIN, third))
        .isInstanceOf(NightcastException.class)
        .satisfies(e -> assertThat(ExitCode.of(e)).isEqualTo(ExitCode.BAD_DATA))
        .hasMessage("Cannot train on 2001-01-03: the training window 2001-01-01..2001-01-03 has labelled features with complete history"
            + " for 2 of 3 days (incomplete history on 2001-01-01 (not ingested: actuals 2000-12-31); backfill the missing nights first:"
            + " `nightcast backfill --from 2000-12-31 --to 2001-01-03`)");
    assertThat(Registry.lastTraining(warehouse, third)).isEmpty();
  }

  /**
   * A feature the champion reads, dropped from features[]: the features table keeps its column, so
   * scoring would feed the model nulls. The score stage refuses, naming the feature and the way out.
   */
  @Test
  void aChampionReadingAFeatureThePipelineNoLongerDeclaresRefusesToScore() {
    ConfigLoader.LoadedPipeline without = TestPipelines.small(dir, Map.of(
        "features.3", Map.of("name", "log_distance_km", "expr", "ln(greatest(distance * 1.609, 1))", "type", "numeric")));
    int champion = Registry.champion(warehouse, NEXT).orElseThrow().version();
    assertThat(Registry.model(warehouse, champion, "test").featureNames()).contains("log_distance");
    NightlyRun other = new NightlyRun(new Context(without, env, Map.of(), TestSpark.session(), false));
    assertThatThrownBy(() -> other.runStage(StageName.SCORE, NEXT))
        .isInstanceOf(NightcastException.class)
        .satisfies(e -> assertThat(ExitCode.of(e)).isEqualTo(ExitCode.BAD_CONFIG))
        .hasMessage("Cannot score " + NEXT + ": champion v" + champion + " reads features [log_distance] that features[] of the pipeline"
            + " file no longer declares; declare them again until a model trained without them serves (`nightcast train --date " + NEXT
            + "`, promoted by the gate or with `nightcast models promote VERSION --date " + NEXT + "`)");
  }

  @Test
  void aRetrainAlertOnTheNightBeforeMakesTrainingDue() {
    LocalDate nightAfter = NEXT.plusDays(1);
    assertThat(TrainingSchedule.due(warehouse, pipeline, nightAfter)).isEmpty();
    warehouse.append(
        AlertsTable.CONTRACT,
        warehouse.frame(
            AlertsTable.CONTRACT,
            List.of(
                new Alert(TRAINED, "retrain", "warning", "psi", "distance", 0.5, 0.2, "old signal").toRow(),
                new Alert(NEXT, "drift", "warning", "psi", "origin", 0.3, 0.2, "not a retrain signal").toRow(),
                new Alert(NEXT, "retrain", "critical", "psi", "hour_of_day", 0.4, 0.2, "drift on 3 of 3 nights").toRow())));
    assertThat(TrainingSchedule.due(warehouse, pipeline, nightAfter)).hasValueSatisfying(
        why -> assertThat(why).contains("retrain signal on " + NEXT).contains("drift on 3 of 3 nights"));
    assertThat(TrainingSchedule.due(warehouse, pipeline, nightAfter.plusDays(1))).isEqualTo(Optional.empty());
  }

  /**
   * The registry rows of a date, collected (a cached Dataset would answer the second read from the
   * cache), without the attempt columns and the reference profile link, whose Delta version moves
   * because each training rewrites the profile.
   */
  private List<Row> registry(LocalDate ds) {
    Dataset<Row> rows = warehouse.readDate(Tables.MODELS, ds).drop("reference_profile");
    for (String column : Tables.ATTEMPT_COLUMNS) {
      rows = rows.drop(column);
    }
    return rows.withColumn("validation_metrics", expr("to_json(validation_metrics)"))
        .withColumn("test_metrics", expr("to_json(test_metrics)")).orderBy("version").collectAsList();
  }

  @Test
  void theModelsCommandListsShowsPromotesAndRollsBackAsOperatorsDo() throws Exception {
    LocalDate twoNightsAfter = NEXT.plusDays(2);
    int firstChampion = first.pick().version();
    // a version the gate did not reject (a rejected one can never be promoted) and that is not serving:
    // night 4's newest candidate not selected (whatever night 5's test has trained by now)
    int latest = Registry.models(warehouse).where(col("ds").equalTo(Date.valueOf(TRAINED)).and(col("decision").equalTo("not_selected")))
        .agg(expr("max(version)")).head().getInt(0);
    assertThat(latest).isNotEqualTo(firstChampion);
    String[] options = {"--pipeline", loaded.file().toString(), "--env", Cli.productionProfile(dir, env).toString()};
    Map<String, String> login = Map.of("NIGHTCAST_PG_USER", "postgres", "NIGHTCAST_PG_PASSWORD", "trusted-by-the-embedded-server");

    Cli.Result promote = Cli.run(dir, login, concat(new String[] {"models", "promote", "v" + latest, "--date", twoNightsAfter.toString(),
        "--reason", "canary looked good", "--actor", "oncall"}, options));
    assertThat(promote.code()).as(promote.output()).isZero();
    assertThat(promote.output()).contains("champion from " + twoNightsAfter + ": v" + latest);
    assertThat(Registry.champion(warehouse, twoNightsAfter).map(Registry.Champion::version)).contains(latest);

    Cli.Result list = Cli.run(dir, login, concat(new String[] {"models", "list", "--date", twoNightsAfter.toString()}, options));
    assertThat(list.code()).as(list.output()).isZero();
    assertThat(list.output().lines().filter(line -> line.startsWith("*"))).singleElement().asString().contains("v" + latest);
    assertThat(list.output()).contains("v" + firstChampion);

    Cli.Result rollback = Cli.run(dir, login, concat(new String[] {"models", "rollback", "--date", twoNightsAfter.toString(), "--reason", "canary regressed"}, options));
    assertThat(rollback.code()).as(rollback.output()).isZero();
    int before = Registry.champion(warehouse, twoNightsAfter).orElseThrow().version();
    assertThat(before).isNotEqualTo(latest);
    assertThat(rollback.output()).contains("champion from " + twoNightsAfter + ": v" + before);

    Cli.Result show = Cli.run(dir, login, concat(new String[] {"models", "show", "v" + latest}, options));
    assertThat(show.code()).as(show.output()).isZero();
    assertThat(show.output())
        .contains(twoNightsAfter + " #1 promote  v" + latest, "by oncall: canary looked good", twoNightsAfter + " #2 rollback v" + before + " (was v" + latest + ")")
        .containsPattern("calibration +" + Calibration.BINS + " bins: ");

    Cli.Result unknown = Cli.run(dir, login, concat(new String[] {"models", "promote", "v999", "--date", twoNightsAfter.toString()}, options));
    assertThat(unknown.code()).isEqualTo(ExitCode.BAD_DATA.code);
    assertThat(unknown.output()).contains("v999");

    // every command's session made its checkpoint subdirectory in the pipeline's namespace and removed it
    Path checkpoints = Path.of(Warehouse.namespace(env.warehouse(), loaded.config().name()), Sessions.CHECKPOINTS);
    assertThat(checkpoints).isDirectory().isEmptyDirectory();
  }

  private static String[] concat(String[] first, String[] second) {
    return java.util.stream.Stream.concat(java.util.Arrays.stream(first), java.util.Arrays.stream(second)).toArray(String[]::new);
  }

  @Test
  void treesSplitNumericFeaturesAtQuantilesOfTheWindowAsManyAsTheCandidatesMaxBins() {
    Dataset<Row> window = warehouse.read(Tables.FEATURES).where(col("role").equalTo(Features.LABELLED));
    List<String> numeric = pipeline.features().stream().filter(f -> !f.categorical()).map(f -> f.name()).toList();
    int distance = numeric.indexOf("distance") + 1;
    int route = numeric.size() + pipeline.features().stream().filter(f -> f.categorical()).map(f -> f.name()).toList().indexOf("route") + 1;
    // no candidate sets maxBins: MLlib's default 32; a grid searching maxBins up to 64: 64
    for (PipelineConfig config : List.of(pipeline, with(Map.of("candidates.1.grid", Map.of("maxBins", List.of(16, 64)))))) {
      int bins = config == pipeline ? 32 : 64;
      Row distinct =
          ModelFactory.preprocessing(config).fit(window).transform(window)
              .select(
                  vector_to_array(col(ModelFactory.FEATURE_INDEXED), "float64").as("tree"), vector_to_array(col(ModelFactory.FEATURE_VECTOR), "float64").as("linear"))
              .agg(
                  countDistinct(element_at(col("tree"), distance)), countDistinct(element_at(col("linear"), distance)),
                  countDistinct(element_at(col("tree"), route)))
              .head();
      assertThat(distinct.getLong(0)).as("distance buckets for trees, maxBins " + bins).isBetween(bins / 2L, (long) bins);
      // linear models keep the values; categoricals keep every category (above maxBins, MLlib's own maxBins covers them)
      assertThat(distinct.getLong(1)).as("distance values for linear models").isGreaterThan(2L * bins);
      assertThat(distinct.getLong(2)).as("route categories").isGreaterThan(2L * bins);
    }
  }
}
