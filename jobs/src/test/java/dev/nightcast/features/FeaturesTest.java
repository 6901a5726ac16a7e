package dev.nightcast.features;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nightcast.config.PipelineConfig;
import dev.nightcast.ingest.Ingest;
import dev.nightcast.ingest.RawTable;
import dev.nightcast.testing.TestPipelines;
import dev.nightcast.testing.TestSpark;
import dev.nightcast.training.ModelFactory;
import dev.nightcast.warehouse.Tables;
import dev.nightcast.warehouse.Warehouse;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.StringIndexerModel;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Features on real sample drops: the flights of 2001-01-03 get their features once from the
 * schedule (scoring, night 01-02) and once from the actuals (labelled, night 01-03); both must agree,
 * and history features must not see the actuals of the flight's own date.
 */
@Tag("spark")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FeaturesTest {
  private static final LocalDate DAY = LocalDate.parse("2001-01-03");

  @TempDir static Path dir;
  private Warehouse warehouse;
  private PipelineConfig pipeline;
  private Features.HistorySource history;

  @BeforeAll
  void ingest() {
    pipeline = TestPipelines.flightDelay(dir, Map.of()).config();
    warehouse = new Warehouse(TestSpark.session(), dir.resolve("warehouse").toString());
    history = source -> warehouse.read(Tables.raw(source));
    String landing = TestPipelines.sampleLanding().toString();
    for (LocalDate night : List.of(DAY.minusDays(2), DAY.minusDays(1), DAY)) {
      Ingest.run(warehouse, landing, Map.of("actuals", pipeline.source("actuals")), night, "run", "2001-01-01 00:00:00");
    }
    Ingest.run(warehouse, landing, Map.of("schedule", pipeline.source("schedule")), DAY.minusDays(1), "run", "2001-01-01 00:00:00");
  }

  private Dataset<Row> labelled() {
    return labelled(DAY);
  }

  private Dataset<Row> labelled(LocalDate day) {
    return Features.build(List.of(new Features.Input(warehouse.readDate(Tables.raw("actuals"), day), Features.LABELLED, day)), pipeline, history);
  }

  private Dataset<Row> scoring() {
    return Features.build(
        List.of(new Features.Input(warehouse.readDate(Tables.raw("schedule"), DAY.minusDays(1)), Features.SCORING, DAY)), pipeline, history);
  }

  /** Rows of {@code a} whose features differ from those of the same flight in {@code b}. */
  private long differing(Dataset<Row> a, Dataset<Row> b) {
    Column same = lit(true);
    for (String feature : Features.names(pipeline)) {
      same = same.and(a.col(feature).eqNullSafe(b.col(feature)));
    }
    return a.join(b, a.col("flight_id").equalTo(b.col("flight_id"))).where(same.unary_$bang()).count();
  }

  @Test
  void trainingAndScoringPathsGiveTheSameFeaturesForTheSameFlight() {
    Dataset<Row> labelled = labelled().cache();
    Dataset<Row> scoring = scoring().cache();
    long matched = labelled.join(scoring, "flight_id").count();
    assertThat(matched).isEqualTo(scoring.count()).isGreaterThan(10_000);
    assertThat(differing(labelled, scoring)).isZero();
    // the history features are really there: most flights' origins flew on the days before
    assertThat(scoring.where(col("origin_delay_rate_7d").isNotNull()).count()).isGreaterThan(matched * 9 / 10);
    assertThat(scoring.where(col("route").equalTo(lit("ORD-LGA"))).count()).isPositive();
    labelled.unpersist();
    scoring.unpersist();
  }

  /**
   * A night builds its two feeds, which describe two dates, in one plan that shares the history
   * scans: each date's rows must still get the features of their own window.
   */
  @Test
  void feedsOfTwoDatesBuiltTogetherGetTheirOwnDatesHistory() {
    LocalDate dayBefore = DAY.minusDays(1);
    Dataset<Row> together =
        copy(
            Features.build(
                List.of(
                    new Features.Input(warehouse.readDate(Tables.raw("actuals"), dayBefore), Features.LABELLED, dayBefore),
                    new Features.Input(warehouse.readDate(Tables.raw("actuals"), DAY), Features.LABELLED, DAY)),
                pipeline, history),
            "together");
    for (LocalDate day : List.of(dayBefore, DAY)) {
      Dataset<Row> alone = copy(labelled(day), "alone-" + day);
      Dataset<Row> sameDay = together.where(col("ds").equalTo(lit(java.sql.Date.valueOf(day))));
      assertThat(sameDay.count()).isEqualTo(alone.count()).isGreaterThan(10_000);
      assertThat(differing(sameDay, alone)).isZero();
      assertThat(sameDay.where(col("label").isNull()).count()).isZero();
    }
    // the two windows differ (DAY's holds the day before, whose own window does not): the check can fail
    Dataset<Row> rates = together.groupBy("ds", "origin").agg(org.apache.spark.sql.functions.first("origin_delay_rate_7d").as("rate"));
    assertThat(rates.where(col("ds").equalTo(lit(java.sql.Date.valueOf(dayBefore)))).as("a")
            .join(rates.where(col("ds").equalTo(lit(java.sql.Date.valueOf(DAY)))).as("b"), "origin")
            .where(col("a.rate").notEqual(col("b.rate"))).count())
        .isPositive();
  }

  /** A copy on disk, not a cache: Spark would answer a re-built identical plan from the cache. */
  private Dataset<Row> copy(Dataset<Row> rows, String name) {
    String path = dir.resolve("copies/" + name).toString();
    rows.write().mode("overwrite").parquet(path);
    return TestSpark.session().read().parquet(path);
  }

  @Test
  void historyFeaturesSeeOnlyActualsBeforeTheFlightsDate() {
    Dataset<Row> before = copy(labelled(), "before");
    Dataset<Row> actuals = copy(warehouse.readDate(Tables.raw("actuals"), DAY), "day");
    Dataset<Row> dayBefore = copy(warehouse.readDate(Tables.raw("actuals"), DAY.minusDays(1)), "day-before");
    try {
      // the outcomes of the day itself change completely: its features must not move
      warehouse.replaceDate(RawTable.raw("actuals"), DAY, actuals.withColumn("delay", lit(999)));
      assertThat(differing(labelled(), before)).isZero();
      // while changing the day before does move them: the check above can fail
      warehouse.replaceDate(RawTable.raw("actuals"), DAY.minusDays(1), dayBefore.withColumn("delay", lit(999)));
      assertThat(differing(labelled(), before)).isPositive();
    } finally {
      warehouse.replaceDate(RawTable.raw("actuals"), DAY, actuals);
      warehouse.replaceDate(RawTable.raw("actuals"), DAY.minusDays(1), dayBefore);
    }
  }

  /**
   * route capped at 20: the 20 routes most frequent in the training rows keep an index of their own
   * (alphabetical), every other route shares the next with unseen ones, and the cap survives the
   * model's save and load; origin, not capped, is indexed as MLlib's alphabetical StringIndexer does.
   */
  @Test
  void aCappedCategoricalKeepsItsMostFrequentValuesAndSharesOneIndexForTheRest() throws Exception {
    PipelineConfig capped =
        TestPipelines.flightDelay(dir, Map.of("features.7.max_categories", 20)).config();
    assertThat(capped.features().get(7).name()).isEqualTo("route");
    Dataset<Row> train = labelled().where("hour_of_day between 6 and 8").cache();
    // equal counts by name: in this slice the 20th and 21st routes tie, so the rule decides the cut
    Map<String, Long> counts = train.groupBy("route").count().collectAsList().stream()
        .collect(Collectors.toMap(row -> row.getString(0), row -> row.getLong(1)));
    List<String> kept =
        counts.entrySet().stream()
            .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
            .limit(20).map(Map.Entry::getKey).sorted().toList();

    PipelineModel fitted = ModelFactory.preprocessing(capped).fit(train);
    fitted.write().save(dir.resolve("capped-model").toString());
    PipelineModel model = PipelineModel.load(dir.resolve("capped-model").toString());
    StringIndexerModel indexer =
        Arrays.stream(model.stages()).filter(StringIndexerModel.class::isInstance).map(StringIndexerModel.class::cast).findFirst().orElseThrow();
    List<String> inputs = List.of(indexer.getInputCols());
    assertThat(List.of(indexer.labelsArray()[inputs.indexOf("route")])).isEqualTo(kept);
    String[] origins = new StringIndexer().setInputCol("origin").setOutputCol("o")
        .setStringOrderType("alphabetAsc").fit(train).labelsArray()[0];
    assertThat(indexer.labelsArray()[inputs.indexOf("origin")]).containsExactly(origins);

    String rare = counts.entrySet().stream().filter(e -> e.getValue() == 1).map(Map.Entry::getKey).sorted().findFirst().orElseThrow();
    Dataset<Row> probe = train.where(col("route").isin(kept.get(0), kept.get(19), rare)).dropDuplicates("route")
        .unionByName(train.limit(1).withColumn("route", lit("XXX-YYY")));
    Map<String, Double> index = model.transform(probe).select("route", "route__index").collectAsList().stream()
        .collect(Collectors.toMap(row -> row.getString(0), row -> row.getDouble(1)));
    assertThat(index).containsExactlyInAnyOrderEntriesOf(Map.of(kept.get(0), 0.0, kept.get(19), 19.0, rare, 20.0, "XXX-YYY", 20.0));
    train.unpersist();
  }

  @Test
  void learnedImputationIsStoredWithTheModelAndNotRecomputedAtScoring() {
    // a deterministic slice of the day keeps the fit small
    Dataset<Row> train = labelled().where("hour_of_day between 6 and 8").cache();
    PipelineModel model = ModelFactory.preprocessing(pipeline).fit(train);
    double trainMean = train.agg(org.apache.spark.sql.functions.avg("origin_delay_rate_7d")).head().getDouble(0);
    // scoring rows whose history is missing get the training window's mean, whatever they hold
    Dataset<Row> unseen = scoring().limit(50).withColumn("origin_delay_rate_7d", lit(null).cast("double"))
        .withColumn("route_delay_rate_7d", lit(0.99));
    List<Row> imputed = model.transform(unseen).select("origin_delay_rate_7d__imputed").distinct().collectAsList();
    assertThat(imputed).hasSize(1);
    assertThat(imputed.get(0).getDouble(0)).isCloseTo(trainMean, org.assertj.core.data.Offset.offset(1e-9));
    train.unpersist();
  }

  /**
   * A feature added to the pipeline: a night's features stage derives the training window's earlier
   * nights again, so training sees one definition of every feature, not the new one on a single day
   * and nulls before. A night whose raw rows are gone keeps its rows (deriving from nothing would
   * delete them) and stays set apart for training to name.
   */
  @Test
  void aFeatureAddedToThePipelineIsDerivedAgainOverTheTrainingWindowWhereRawRowsRemain() {
    Map<String, Object> window = Map.of("training.window_days", 3, "training.validation_days", 0.3, "training.test_days", 0.3,
        "features.8.history.days", 1, "features.9.history.days", 1);
    PipelineConfig before = TestPipelines.flightDelay(dir, window).config();
    Map<String, Object> more = new java.util.HashMap<>(window);
    more.put("features.10", Map.of("name", "dep_minute", "expr", "minute(dep_time)", "type", "numeric"));
    PipelineConfig after = TestPipelines.flightDelay(dir, more).config();
    Warehouse own = new Warehouse(TestSpark.session(), dir.resolve("redefined").toString());
    String landing = TestPipelines.sampleLanding().toString();
    LocalDate first = DAY.minusDays(2);
    // labelled rows on each night; rows to score (the schedule) on the last only, they play no part here
    for (LocalDate night = first; !night.isAfter(DAY); night = night.plusDays(1)) {
      Ingest.run(own, landing, Map.of("actuals", before.source("actuals")), night, "run", "2001-01-01 00:00:00");
    }
    Ingest.run(own, landing, Map.of("schedule", before.source("schedule")), DAY, "run", "2001-01-01 00:00:00");
    for (LocalDate night = first; !night.isAfter(DAY); night = night.plusDays(1)) {
      Features.run(own, before, night);
    }
    // nothing changed: nothing derived again, and finding that out reads no data file (Delta's statistics skip them all)
    assertThat(Features.rederive(own, before, DAY)).isEmpty();
    assertThat(filesRead(FeaturesTable.otherDerivationNights(own, first, DAY, Features.derivation(before)))).isZero();
    assertThat(filesRead(FeaturesTable.otherDerivationNights(own, first, DAY, Features.derivation(after)))).isPositive();
    assertThat(dev.nightcast.training.TrainingSchedule.window(own, before, DAY).redefined()).isEmpty();

    // the raw actuals of the first night are gone (say, restored from an older copy without them)
    own.spark().sql("DELETE FROM delta.`" + own.path(Tables.raw("actuals")) + "` WHERE ds = DATE'" + first + "'");
    long firstRows = own.readDate(Tables.FEATURES, first).count();
    HistoryCoverage.Coverage changed = dev.nightcast.training.TrainingSchedule.window(own, after, DAY);
    assertThat(changed.redefined()).containsExactly(first, first.plusDays(1), DAY);
    assertThat(changed.rawGone()).containsExactly(first);

    Features.run(own, after, DAY);
    assertThat(Features.rederive(own, after, DAY)).containsExactly(first.plusDays(1));
    HistoryCoverage.Coverage coverage = dev.nightcast.training.TrainingSchedule.window(own, after, DAY);
    assertThat(coverage.redefined()).containsExactly(first);
    assertThat(coverage.rawGone()).containsExactly(first);
    assertThat(coverage.complete()).containsExactly(DAY);
    // the 1-day rates of the second night read the first night's actuals, gone now
    assertThat(coverage.incomplete()).containsExactly(first.plusDays(1));
    Dataset<Row> derived = own.read(Tables.FEATURES).where(col("ds").between(java.sql.Date.valueOf(first.plusDays(1)), java.sql.Date.valueOf(DAY)));
    assertThat(derived.where(col(Features.DERIVATION).notEqual(Features.derivation(after))).count()).isZero();
    assertThat(derived.where(col("role").equalTo(Features.LABELLED)).count()).isGreaterThan(20_000);
    assertThat(derived.where(col("dep_minute").isNull().or(col("dep_minute").notEqual(org.apache.spark.sql.functions.minute(col("dep_time"))))).count())
        .isZero();
    // the night without raw rows keeps what it had, and its derivation
    Dataset<Row> kept = own.readDate(Tables.FEATURES, first);
    assertThat(kept.count()).isEqualTo(firstRows).isPositive();
    assertThat(kept.where(col(Features.DERIVATION).equalTo(Features.derivation(before))).count()).isEqualTo(firstRows);
  }

  /** Data files the query's scan reads once it has run (without adaptive execution, so the plan is the tree that ran). */
  private static long filesRead(Dataset<Row> query) {
    var conf = query.sparkSession().conf();
    String adaptive = conf.get("spark.sql.adaptive.enabled");
    conf.set("spark.sql.adaptive.enabled", "false");
    try {
      query.collectAsList();
      long files = 0;
      for (var leaf : scala.jdk.javaapi.CollectionConverters.asJava(query.queryExecution().executedPlan().collectLeaves())) {
        files += leaf.metrics().get("numFiles").map(metric -> metric.value()).getOrElse(() -> 0L);
      }
      return files;
    } finally {
      conf.set("spark.sql.adaptive.enabled", adaptive);
    }
  }
}
