package dev.nightcast.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.nightcast.config.DriftConfig;
import dev.nightcast.config.MonitoringConfig;
import dev.nightcast.monitoring.PerformanceDailyTable.DailyPerformance;
import dev.nightcast.testing.TestSpark;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The Spark state of drift and performance on tiny inline data, against straightforward counts. */
@Tag("spark")
class MonitorSparkTest {
  private static final LocalDate D = LocalDate.parse("2001-02-01");
  private static final StructType ROWS =
      new StructType()
          .add("day", DataTypes.StringType, false)
          .add("x", DataTypes.DoubleType, true)
          .add("c", DataTypes.StringType, true)
          .add("empty", DataTypes.DoubleType, true);
  /** Scored rows as the performance state reads them (outcome null: no label yet), sliced by origin. */
  private static final StructType SCORED =
      new StructType()
          .add("ds", DataTypes.DateType, false)
          .add("model_version", DataTypes.IntegerType, false)
          .add("probability", DataTypes.DoubleType, true)
          .add("outcome", DataTypes.DoubleType, true)
          .add("origin", DataTypes.StringType, false);
  private static final List<Binning.Column> COLUMNS =
      List.of(new Binning.Column("x", false), new Binning.Column("c", true), new Binning.Column("empty", false));

  private static Dataset<Row> rows(List<Row> rows) {
    SparkSession spark = TestSpark.session();
    return spark.createDataFrame(rows, ROWS);
  }

  private static List<Row> day(String day, double shift, int nulls, boolean nan) {
    List<Row> out = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      Double x = i < nulls ? null : (nan && i == nulls ? Double.NaN : (i % 50) + shift);
      out.add(RowFactory.create(day, x, i % 4 == 0 ? "b" : "a", i % 3 == 0 ? 1.0 * i : null));
    }
    return out;
  }

  @Test
  void driftStateCountsEverySlotAndTheReportTellsIdenticalFromShifted() {
    List<Row> all = new ArrayList<>(day("reference", 0, 0, false));
    all.addAll(day("same", 0, 0, false));
    all.addAll(day("shifted", 25, 20, true));
    Dataset<Row> frame = rows(all);
    List<Binning.Spec> specs = Binning.learn(frame.where("day = 'reference'"), COLUMNS, 10, 5);
    Map<Binning.Group, Map<String, Binning.ColumnState>> state = Binning.summarise(frame, List.of("day"), specs);
    Map<String, Binning.ColumnState> reference = state.get(day("reference"));
    Map<String, Binning.ColumnState> same = state.get(day("same"));
    Map<String, Binning.ColumnState> shifted = state.get(day("shifted"));
    Binning.Spec x = specs.get(0);
    Binning.Spec c = specs.get(1);
    // straightforward counts: 200 rows; shifted has 20 nulls and 1 NaN; "b" is every 4th row
    assertThat(reference.get("x").rows()).isEqualTo(200);
    assertThat(shifted.get("x").nulls(x)).isEqualTo(20);
    assertThat(shifted.get("x").nonFinite(x)).isEqualTo(1);
    assertThat(shifted.get("x").valueRows(x)).isEqualTo(179);
    assertThat(reference.get("x").mean(x)).isCloseTo(24.5, within(1e-9));
    assertThat(reference.get("x").std(x)).isCloseTo(Math.sqrt((50 * 50 - 1) / 12.0), within(1e-9)); // uniform 0..49
    assertThat(c.categories()).containsExactly("a", "b");
    assertThat(reference.get("c").values(c)).containsExactly(150, 50, 0);

    DriftConfig config = new DriftConfig(null, null, null, null, null);
    Map<String, Double> identical = metrics(DriftReport.verdicts(x, reference.get("x"), same.get("x"), 5, config));
    assertThat(identical).containsOnlyKeys("psi", "ks", "ks_p_value", "wasserstein", "js", "missing_ratio_delta", "mean_delta");
    assertThat(identical.get("psi")).isCloseTo(0, within(1e-12));
    assertThat(identical.get("ks")).isCloseTo(0, within(1e-12));
    assertThat(identical.get("ks_p_value")).isCloseTo(1, within(1e-12));
    assertThat(identical.get("wasserstein")).isCloseTo(0, within(1e-12));
    assertThat(identical.get("js")).isCloseTo(0, within(1e-7));
    assertThat(DriftReport.verdicts(x, reference.get("x"), same.get("x"), 5, config)).noneMatch(DriftReport.Verdict::drifted);

    List<DriftReport.Verdict> moved = DriftReport.verdicts(x, reference.get("x"), shifted.get("x"), 5, config);
    Map<String, Double> shiftedMetrics = metrics(moved);
    // the finite values moved up by 25 = half the range: about half the mass leaves the reference range
    assertThat(shiftedMetrics.get("ks")).isGreaterThan(0.45);
    assertThat(shiftedMetrics.get("mean_delta")).isGreaterThan(1.5);
    assertThat(shiftedMetrics.get("missing_ratio_delta")).isCloseTo(0.1, within(1e-12));
    assertThat(moved.stream().filter(v -> v.metric().equals("wasserstein")).findFirst().orElseThrow().severity()).isEqualTo("high");
    // 200 rows a side: p-values decide too
    assertThat(moved.stream().filter(v -> v.metric().equals("ks_p_value")).findFirst().orElseThrow().drifted()).isTrue();

    // an all-null column: only the missing ratio is defined, and it is a full drift
    Map<String, Binning.ColumnState> allNull = state.get(day("shifted"));
    Binning.Spec empty = specs.get(2);
    Binning.ColumnState nothing = Binning.ColumnState.empty(empty.slots());
    nothing.counts()[empty.nullSlot()] = 200;
    List<DriftReport.Verdict> none = DriftReport.verdicts(empty, allNull.get("empty"), nothing, 5, config);
    assertThat(metrics(none)).containsOnlyKeys("missing_ratio_delta");
    assertThat(none.get(0).value()).isCloseTo(1 - 133.0 / 200, within(1e-12));
    assertThat(none.get(0).severity()).isEqualTo("high");

    List<DriftDailyTable.DriftMetric> report =
        DriftReport.rows(D, 1, Slices.Slice.WHOLE, DriftReport.BASELINE, specs, reference, shifted, 5, config);
    DriftDailyTable.DriftMetric share = report.get(report.size() - 1);
    assertThat(share.columnName()).isEqualTo("*");
    assertThat(share.value()).isCloseTo(1.0 / 3, within(1e-12)); // x drifted; c and empty did not
    assertThat(Alerts.numericalStability(D, specs, shifted)).singleElement().satisfies(r -> assertThat(r.columnName()).isEqualTo("x"));
  }

  /** The summary's group of one value of the "day" column (not sliced). */
  private static Binning.Group day(String day) {
    return new Binning.Group(Map.of("day", day), Slices.Slice.WHOLE);
  }

  private static Map<String, Double> metrics(List<DriftReport.Verdict> verdicts) {
    return verdicts.stream().collect(Collectors.toMap(DriftReport.Verdict::metric, DriftReport.Verdict::value));
  }

  @Test
  void performanceIsTheSameToTheLastBitWhateverTheRowsOrderAndPartitioning() {
    java.util.Random random = new java.util.Random(7);
    List<Row> rows = new ArrayList<>();
    java.sql.Date predictedOn = java.sql.Date.valueOf(D.minusDays(1));
    for (int i = 0; i < 3000; i++) {
      // probabilities with all their bits, a few at the clip of the log loss
      double p = i % 500 == 0 ? 1.0 : random.nextDouble();
      rows.add(RowFactory.create(i % 2 == 0 ? predictedOn : java.sql.Date.valueOf(D), 4, p, i % 2 == 0 ? (double) random.nextInt(2) : null, "ORD"));
    }
    MonitoringConfig config = new MonitoringConfig(null, null, null, 100, 10, 0.5, List.of(), null, null, null, null, null);
    Dataset<Row> frame = TestSpark.session().createDataFrame(rows, SCORED);
    List<DailyPerformance> one =
        Performance.rows(Performance.computeState(Slices.fanOut(frame.repartition(1), config.slices()), 10, 0.5, Map.of()), D, config);
    List<DailyPerformance> shuffled =
        Performance.rows(
            Performance.computeState(Slices.fanOut(frame.orderBy(org.apache.spark.sql.functions.rand(3)).repartition(7), config.slices()), 10, 0.5, Map.of()),
            D, config);
    assertThat(one).hasSize(2);
    assertThat(shuffled).isEqualTo(one);
    DailyPerformance realised = one.stream().filter(r -> r.kind().equals("realised")).findFirst().orElseThrow();
    double logLoss = 0;
    for (Row row : rows) {
      if (row.get(3) != null) {
        double p = Math.min(Math.max(row.getDouble(2), 1e-15), 1 - 1e-15);
        logLoss -= row.getDouble(3) * Math.log(p) + (1 - row.getDouble(3)) * Math.log(1 - p);
      }
    }
    assertThat(realised.logLoss()).isCloseTo(logLoss / 1500, within(1e-12));
  }

  @Test
  void performanceStateGivesTheStraightforwardMetricsPerSlice() {
    double[] p = {0.95, 0.81, 0.72, 0.66, 0.55, 0.45, 0.33, 0.21, 0.12, 0.05, 0.72, 0.38};
    double[] y = {1, 1, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0};
    List<Row> rows = new ArrayList<>();
    java.sql.Date predictedOn = java.sql.Date.valueOf(D.minusDays(1));
    for (int i = 0; i < p.length; i++) {
      rows.add(RowFactory.create(predictedOn, 4, p[i], y[i], i < 8 ? "ORD" : "ATL"));
    }
    rows.add(RowFactory.create(java.sql.Date.valueOf(D), 4, 0.8, null, "ORD"));
    rows.add(RowFactory.create(java.sql.Date.valueOf(D), 4, 0.3, null, "ATL"));
    rows.add(RowFactory.create(java.sql.Date.valueOf(D), 4, 0.6, null, "ATL"));
    MonitoringConfig config =
        new MonitoringConfig(null, null, null, 100, 10, 0.5, List.of(new MonitoringConfig.SliceConfig("origin", 1, null, null)), null, null, null, null, null);
    Dataset<Row> frame = Slices.fanOut(TestSpark.session().createDataFrame(rows, SCORED), config.slices());
    List<DailyPerformance> out = Performance.rows(Performance.computeState(frame, config.scoreBins(), config.decisionThreshold(), Map.of()), D, config);
    // realised: whole + ORD (8 labelled rows, the busiest); estimated: whole + ATL (2 of 3 rows)
    assertThat(out).hasSize(4);
    DailyPerformance whole = out.stream().filter(r -> r.kind().equals("realised") && r.sliceKey() == null).findFirst().orElseThrow();
    double logLoss = 0;
    double brier = 0;
    int correct = 0;
    double concordant = 0;
    int positives = 0;
    for (int i = 0; i < p.length; i++) {
      logLoss -= y[i] * Math.log(p[i]) + (1 - y[i]) * Math.log(1 - p[i]);
      brier += (p[i] - y[i]) * (p[i] - y[i]);
      correct += (p[i] >= 0.5) == (y[i] == 1) ? 1 : 0;
      positives += (int) y[i];
      for (int j = 0; j < p.length; j++) {
        if (y[i] == 1 && y[j] == 0) {
          concordant += p[i] > p[j] ? 1 : p[i] == p[j] ? 0.5 : 0;
        }
      }
    }
    assertThat(whole.ds()).isEqualTo(D);
    assertThat(whole.rows()).isEqualTo(12);
    assertThat(whole.positives()).isEqualTo(positives);
    assertThat(whole.accuracy()).isCloseTo(correct / 12.0, within(1e-12));
    assertThat(whole.rocAuc()).isCloseTo(concordant / (positives * (12.0 - positives)), within(1e-12)); // the only shared score bin is the true tie at 0.72
    assertThat(whole.logLoss()).isCloseTo(logLoss / 12, within(1e-9));
    assertThat(whole.brier()).isCloseTo(brier / 12, within(1e-12));
    DailyPerformance ord = out.stream().filter(r -> r.kind().equals("realised") && r.sliceKey() != null).findFirst().orElseThrow();
    assertThat(ord.sliceValue()).isEqualTo("ORD");
    assertThat(ord.rows()).isEqualTo(8);
    DailyPerformance estimate = out.stream().filter(r -> r.kind().equals("estimated") && r.sliceKey() == null).findFirst().orElseThrow();
    assertThat(estimate.ds()).isEqualTo(D.plusDays(1));
    assertThat(estimate.positives()).isNull();
    // E[TP] = 0.8 + 0.6, E[TN] = 0.7: accuracy 2.1 / 3
    assertThat(estimate.accuracy()).isCloseTo(2.1 / 3, within(1e-12));
    DailyPerformance atl = out.stream().filter(r -> r.kind().equals("estimated") && r.sliceKey() != null).findFirst().orElseThrow();
    assertThat(atl.sliceValue()).isEqualTo("ATL");

    // with the model's calibration map (scores below 0.5 are positive 20% of the time, above 0.5
    // 40%), each row counts as its calibrated rate: E[TP] = 0.4 + 0.4, E[TN] = 0.8
    double[] calibration = new double[10];
    Arrays.fill(calibration, 0, 5, 0.2);
    Arrays.fill(calibration, 5, 10, 0.4);
    DailyPerformance calibrated =
        Performance.rows(Performance.computeState(frame, config.scoreBins(), config.decisionThreshold(), Map.of(4, calibration)), D, config).stream()
            .filter(r -> r.kind().equals("estimated") && r.sliceKey() == null)
            .findFirst()
            .orElseThrow();
    assertThat(calibrated.accuracy()).isCloseTo((0.4 + 0.4 + 0.8) / 3, within(1e-12));
    assertThat(calibrated.precision()).as("precision").isCloseTo(0.4, within(1e-12));
    assertThat(calibrated.recall()).as("recall").isCloseTo(0.8 / (0.8 + 0.2), within(1e-12));
    // the mean probability is what was served, not its calibration
    assertThat(calibrated.meanProbability()).isCloseTo(1.7 / 3, within(1e-12));
    // AUC over (expected positives, negatives) per score: 0.3 (0.2, 0.8), 0.6 (0.4, 0.6), 0.8 (0.4, 0.6);
    // a row's own negative weight is a tie: (0.2 * 0.4 + 0.4 * (0.8 + 0.3) + 0.4 * (1.4 + 0.3)) / (1.0 * 2.0)
    assertThat(calibrated.rocAuc()).isCloseTo(0.6, within(1e-12));
  }

  @Test
  void aSliceFarOffTheWholePopulationRaisesSliceGapAlertsAndTheRowsHoldTheFalsePositiveRate() {
    // ORD and ATL rank well; LAX's negatives score as high as its positives (and half of them >= 0.5);
    // BOS is as bad as LAX but has fewer labelled rows than min_rows
    Map<String, Integer> sizes = new java.util.LinkedHashMap<>(Map.of("ORD", 600, "ATL", 500, "LAX", 250, "BOS", 50));
    List<Row> rows = new ArrayList<>();
    Map<String, long[]> negatives = new java.util.HashMap<>(); // origin -> (false positives, negatives)
    java.sql.Date predictedOn = java.sql.Date.valueOf(D.minusDays(1));
    sizes.forEach((origin, n) -> {
      boolean good = origin.equals("ORD") || origin.equals("ATL");
      for (int i = 0; i < n; i++) {
        boolean positive = i % 5 == 0;
        double p = positive ? (good ? 0.45 : 0.35) + (i % 7) * 0.06 : good ? 0.05 + (i % 11) * 0.05 : 0.25 + (i % 9) * 0.06;
        rows.add(RowFactory.create(predictedOn, 4, p, positive ? 1.0 : 0.0, origin));
        if (!positive) {
          for (String counted : List.of(origin, "*")) {
            long[] c = negatives.computeIfAbsent(counted, o -> new long[2]);
            c[0] += p >= 0.5 ? 1 : 0;
            c[1]++;
          }
        }
      }
    });
    MonitoringConfig config = new MonitoringConfig(null, null, null, null, null, 0.5,
        List.of(new MonitoringConfig.SliceConfig("origin", 4, 200, Map.of("roc_auc", 0.10, "recall", 0.15, "false_positive_rate", 0.15))),
        null, null, null, null, null);
    Dataset<Row> frame = Slices.fanOut(TestSpark.session().createDataFrame(rows, SCORED), config.slices());
    List<DailyPerformance> night = Performance.rows(Performance.computeState(frame, config.scoreBins(), config.decisionThreshold(), Map.of()), D, config);

    assertThat(night).extracting(DailyPerformance::sliceValue).containsExactlyInAnyOrder(null, "ORD", "ATL", "LAX", "BOS");
    for (DailyPerformance row : night) {
      long[] c = negatives.get(row.sliceKey() == null ? "*" : row.sliceValue());
      assertThat(row.falsePositiveRate()).as("FPR of %s", row.sliceValue()).isCloseTo((double) c[0] / c[1], within(1e-12));
      assertThat(row.metric("false_positive_rate")).isEqualTo(row.falsePositiveRate());
    }
    List<AlertsTable.Alert> alerts = Alerts.sliceGap(D, night, config);
    assertThat(alerts).extracting(AlertsTable.Alert::columnName, AlertsTable.Alert::metric).containsExactly(
        org.assertj.core.groups.Tuple.tuple("origin=LAX", "roc_auc"),
        org.assertj.core.groups.Tuple.tuple("origin=LAX", "recall"),
        org.assertj.core.groups.Tuple.tuple("origin=LAX", "false_positive_rate"));
    DailyPerformance whole = night.stream().filter(r -> r.sliceKey() == null).findFirst().orElseThrow();
    DailyPerformance lax = night.stream().filter(r -> "LAX".equals(r.sliceValue())).findFirst().orElseThrow();
    assertThat(alerts.get(2).value()).isCloseTo(lax.falsePositiveRate() - whole.falsePositiveRate(), within(1e-12));
    assertThat(alerts.get(2).value()).isGreaterThan(0.15);
  }

  @Test
  void regressionStateGivesMllibsErrorsPerSliceAndLeavesUnlabelledAndNonFiniteRowsOut() {
    StructType schema =
        new StructType()
            .add("ds", DataTypes.DateType, false)
            .add("model_version", DataTypes.IntegerType, true)
            .add("prediction", DataTypes.DoubleType, true)
            .add("outcome", DataTypes.DoubleType, true)
            .add("origin", DataTypes.StringType, false);
    java.sql.Date predictedOn = java.sql.Date.valueOf(D.minusDays(1));
    List<Row> labelled = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      double label = (i * 37 % 23) - 5.5 + (i % 3) * 10;
      labelled.add(RowFactory.create(predictedOn, 7, label + ((i * 13 % 7) - 3) * 1.25, label, i % 4 == 0 ? "ATL" : "ORD"));
    }
    List<Row> rows = new ArrayList<>(labelled);
    rows.add(RowFactory.create(predictedOn, 7, Double.NaN, 3.0, "ORD")); // a broken prediction: no error
    rows.add(RowFactory.create(predictedOn, 7, 12.0, null, "ORD")); // its label has not arrived
    rows.add(RowFactory.create(java.sql.Date.valueOf(D), 7, 4.0, null, "ORD")); // served tonight
    rows.add(RowFactory.create(predictedOn, null, null, 8.0, "ORD")); // no model scored it
    MonitoringConfig config =
        new MonitoringConfig(null, null, null, null, null, null, List.of(new MonitoringConfig.SliceConfig("origin", 1, null, null)), null, null, null, null, null);
    SparkSession spark = TestSpark.session();
    Map<Performance.Group, RegressionPerformance.State> state =
        RegressionPerformance.computeState(Slices.fanOut(spark.createDataFrame(rows, schema), config.slices()), 10.0);
    assertThat(state.keySet()).extracting(Performance.Group::predictedOn).contains(D).as("tonight's serving version is seen");
    List<DailyPerformance> out = RegressionPerformance.rows(state, config);
    // realised only (no estimate for regression): the whole population and ORD, the busiest origin
    assertThat(out).extracting(DailyPerformance::sliceValue).containsExactly(null, "ORD");
    assertThat(out).allSatisfy(row -> {
      assertThat(row.kind()).isEqualTo("realised");
      assertThat(row.ds()).isEqualTo(D);
      assertThat(row.rocAuc()).isNull();
    });
    Dataset<Row> peer = spark.createDataFrame(labelled, schema);
    for (DailyPerformance row : out) {
      Dataset<Row> rowsOfSlice = row.sliceValue() == null ? peer : peer.where(org.apache.spark.sql.functions.col("origin").equalTo(row.sliceValue()));
      var evaluator = new org.apache.spark.ml.evaluation.RegressionEvaluator().setLabelCol("outcome").setPredictionCol("prediction");
      assertThat(row.rows()).isEqualTo(rowsOfSlice.count());
      assertThat(row.positives()).isEqualTo(rowsOfSlice.where("outcome > 10").count());
      assertThat(row.rmse()).as("rmse").isCloseTo(evaluator.setMetricName("rmse").evaluate(rowsOfSlice), within(1e-9));
      assertThat(row.mae()).as("mae").isCloseTo(evaluator.setMetricName("mae").evaluate(rowsOfSlice), within(1e-9));
      assertThat(row.r2()).as("r2").isCloseTo(evaluator.setMetricName("r2").evaluate(rowsOfSlice), within(1e-9));
      assertThat(row.meanError()).isCloseTo(rowsOfSlice.selectExpr("avg(prediction - outcome)").head().getDouble(0), within(1e-9));
    }
  }
}
