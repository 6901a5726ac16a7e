package dev.nightcast.monitoring;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import dev.nightcast.config.MonitoringConfig;
import dev.nightcast.monitoring.PerformanceDailyTable.DailyPerformance;
import dev.nightcast.training.Calibration;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Daily classification performance per model version and slice: {@code realised} from the
 * predictions whose labels arrived, and {@code estimated} (confidence-based, from the probabilities
 * alone) for predictions whose labels have not arrived yet. Rows are keyed by the date of the
 * outcomes ({@code ds}); {@code predicted_on} is the night that made the predictions.
 */
public final class Performance {
  public static final String REALISED = "realised";
  public static final String ESTIMATED = "estimated";
  public static final String OUTCOME = "outcome";
  private static final double CLIP = 1e-15;
  /**
   * The aggregated columns summed per group, by their index in the group's sums: the realised state
   * reads tp..brier (0-5), {@link #estimate} etp..etn (6-9).
   */
  private static final List<String> SUMS = List.of("tp", "fp", "fn", "tn", "log_loss", "brier", "etp", "efp", "efn", "etn");

  private Performance() {}

  /** The aggregated state of one (predicted_on, model version, slice): realised and estimated. */
  public record GroupState(long rows, long labelled, ClassificationMetrics.State realised, ClassificationMetrics.State estimated) {}

  /** (predicted_on, model_version, slice) */
  public record Group(LocalDate predictedOn, int modelVersion, Slices.Slice slice) {}

  /**
   * A sum of doubles that is the same to the last bit on every run: Spark merges partial sums in
   * the order shuffle blocks arrive, so plain double sums differ in their last bits between runs.
   * Each value is split into whole billionths and the billionths of the rest (1e-18 resolution,
   * truncated), both summed as longs, whose sum does not depend on the order. For the bounded terms of a
   * classification night (scores in [0, 1], log loss clipped at 34.6): the billionths overflow past
   * ~2.6e8 rows of one group and score bin, where Spark stops with an arithmetic overflow. Summing
   * decimal(38, 18) instead was a third of the monitor at 30x the sample (each double cast to a
   * decimal through its text; bench/README, scale.sh).
   */
  static Column exactSum(String expression) {
    Column billionths = expr("(" + expression + ") * 1e9");
    Column whole = floor(billionths);
    // floor, not round: Spark rounds a double through java.math.BigDecimal.valueOf, its text again
    return sum(whole).multiply(1e-9).plus(sum(floor(billionths.minus(whole).multiply(1e9))).multiply(1e-18));
  }

  /**
   * Spark work: the score histogram of every (predicted_on, model_version, slice_key, slice_value)
   * group of {@code scored} (columns ds, model_version, probability, outcome (label or null),
   * slice_key, slice_value). Cost: one aggregation pass; the state is groups x score bins rows.
   */
  public static Map<Group, GroupState> computeState(Dataset<Row> scored, int bins, double threshold, Map<Integer, double[]> calibrations) {
    String p = "probability";
    String clipped = "least(greatest(" + p + ", " + CLIP + "), " + (1 - CLIP) + ")";
    String positive = p + " >= " + threshold;
    List<Row> state =
        scored
            .where(col(p).isNotNull().and(expr("NOT isnan(" + p + ")")))
            .withColumn("bin", expr("least(greatest(cast(floor(" + p + " * " + bins + ") as int), 0), " + (bins - 1) + ")"))
            .groupBy(col("ds"), col("model_version"), col(Slices.KEY), col(Slices.VALUE), col("bin"))
            .agg(
                count(lit(1)).as("n"),
                exactSum(p).as("score_sum"),
                sum(expr("CASE WHEN outcome = 1 THEN 1 ELSE 0 END")).cast("long").as("pos"),
                sum(expr("CASE WHEN outcome = 0 THEN 1 ELSE 0 END")).cast("long").as("neg"),
                exactSum("CASE WHEN outcome IS NOT NULL THEN " + p + " ELSE 0 END").as("labelled_score_sum"),
                sum(expr("CASE WHEN " + positive + " AND outcome = 1 THEN 1 ELSE 0 END")).cast("double").as("tp"),
                sum(expr("CASE WHEN " + positive + " AND outcome = 0 THEN 1 ELSE 0 END")).cast("double").as("fp"),
                sum(expr("CASE WHEN NOT " + positive + " AND outcome = 1 THEN 1 ELSE 0 END")).cast("double").as("fn"),
                sum(expr("CASE WHEN NOT " + positive + " AND outcome = 0 THEN 1 ELSE 0 END")).cast("double").as("tn"),
                exactSum("-(outcome * ln(" + clipped + ") + (1 - outcome) * ln(1 - " + clipped + "))").as("log_loss"),
                exactSum("(" + p + " - outcome) * (" + p + " - outcome)").as("brier"),
                exactSum("CASE WHEN " + positive + " THEN " + p + " ELSE 0 END").as("etp"),
                exactSum("CASE WHEN " + positive + " THEN 1 - " + p + " ELSE 0 END").as("efp"),
                exactSum("CASE WHEN NOT " + positive + " THEN " + p + " ELSE 0 END").as("efn"),
                exactSum("CASE WHEN NOT " + positive + " THEN 1 - " + p + " ELSE 0 END").as("etn"))
            .collectAsList();
    Map<Group, double[][]> histograms = new HashMap<>();
    // per score bin too: a group's bins arrive in any order, and adding them in bin order keeps the
    // sums the same to the last bit
    Map<Group, double[][]> sums = new HashMap<>();
    for (Row row : state) {
      Group group =
          new Group(row.<Date>getAs("ds").toLocalDate(), row.<Integer>getAs("model_version"), Slices.of(row.getAs(Slices.KEY), row.getAs(Slices.VALUE)));
      // histograms: positives, negatives, labelled score sums, all rows, all score sums
      double[][] h = histograms.computeIfAbsent(group, g -> new double[5][bins]);
      int bin = row.<Integer>getAs("bin");
      h[0][bin] += row.<Long>getAs("pos");
      h[1][bin] += row.<Long>getAs("neg");
      h[2][bin] += row.<Double>getAs("labelled_score_sum");
      h[3][bin] += row.<Long>getAs("n");
      h[4][bin] += row.<Double>getAs("score_sum");
      double[][] s = sums.computeIfAbsent(group, g -> new double[SUMS.size()][bins]);
      for (int i = 0; i < SUMS.size(); i++) {
        Double sum = row.getAs(SUMS.get(i));
        s[i][bin] = sum == null ? 0 : sum;
      }
    }
    Map<Group, GroupState> out = new HashMap<>();
    for (Map.Entry<Group, double[][]> entry : histograms.entrySet()) {
      double[][] h = entry.getValue();
      double[] s = java.util.Arrays.stream(sums.get(entry.getKey())).mapToDouble(Performance::total).toArray();
      long rows = Math.round(total(h[3]));
      long labelled = Math.round(total(h[0]) + total(h[1]));
      double[] calibration = calibrations.get(entry.getKey().modelVersion());
      out.put(
          entry.getKey(),
          new GroupState(
              rows,
              labelled,
              new ClassificationMetrics.State(h[0], h[1], h[2], s[0], s[1], s[2], s[3], s[4], s[5]),
              calibration == null ? estimate(h[3], h[4], s) : calibratedEstimate(h[3], h[4], calibration, threshold)));
    }
    return out;
  }

  /** Confidence-based estimate from the raw probabilities: a row with probability p is p positive. */
  private static ClassificationMetrics.State estimate(double[] rows, double[] scoreSums, double[] s) {
    double[] negatives = new double[rows.length];
    for (int i = 0; i < rows.length; i++) {
      negatives[i] = rows[i] - scoreSums[i];
    }
    return new ClassificationMetrics.State(scoreSums, negatives, scoreSums, s[6], s[7], s[8], s[9], Double.NaN, Double.NaN);
  }

  /**
   * Confidence-based estimate from calibrated probabilities: a row in score bin i counts as
   * calibration(mid of bin i) positive. Bins whose lower edge is at or above the threshold count
   * as predicted positive, exact when the threshold is a bin edge (0.5 with any even bin count).
   */
  private static ClassificationMetrics.State calibratedEstimate(double[] rows, double[] scoreSums, double[] calibration, double threshold) {
    int bins = rows.length;
    double[] positives = new double[bins];
    double[] negatives = new double[bins];
    double[] confusion = new double[4]; // tp, fp, fn, tn
    for (int i = 0; i < bins; i++) {
      positives[i] = rows[i] * Calibration.apply(calibration, (i + 0.5) / bins);
      negatives[i] = rows[i] - positives[i];
      boolean predictedPositive = (double) i / bins >= threshold;
      confusion[predictedPositive ? 0 : 2] += positives[i];
      confusion[predictedPositive ? 1 : 3] += negatives[i];
    }
    return new ClassificationMetrics.State(positives, negatives, scoreSums, confusion[0], confusion[1], confusion[2], confusion[3], Double.NaN, Double.NaN);
  }

  /**
   * Pure: the performance rows of the kept slices; realised rows for groups with labels (keyed by
   * ds = predicted_on + 1), estimated rows for groups predicted on {@code estimateFrom}.
   */
  public static List<DailyPerformance> rows(Map<Group, GroupState> state, LocalDate estimateFrom, MonitoringConfig config) {
    List<DailyPerformance> out = new ArrayList<>();
    for (String kind : List.of(REALISED, ESTIMATED)) {
      Map<LocalDate, Map<Integer, Map<Slices.Slice, GroupState>>> byDate = new java.util.TreeMap<>();
      state.forEach(
          (group, groupState) -> {
            boolean wanted = kind.equals(REALISED) ? groupState.labelled() > 0 : group.predictedOn().equals(estimateFrom);
            if (wanted) {
              byDate.computeIfAbsent(group.predictedOn(), d -> new java.util.TreeMap<>())
                  .computeIfAbsent(group.modelVersion(), v -> new HashMap<>())
                  .put(group.slice(), groupState);
            }
          });
      byDate.forEach(
          (predictedOn, versions) ->
              versions.forEach(
                  (version, slices) -> {
                    Map<Slices.Slice, Long> sizes = new HashMap<>();
                    slices.forEach((slice, s) -> sizes.put(slice, kind.equals(REALISED) ? s.labelled() : s.rows()));
                    Set<Slices.Slice> kept = Slices.kept(sizes, config.slices());
                    for (Slices.Slice slice : kept) {
                      GroupState s = slices.get(slice);
                      out.add(row(kind, predictedOn, version, slice, s, config));
                    }
                  }));
    }
    return out;
  }

  private static DailyPerformance row(String kind, LocalDate predictedOn, int version, Slices.Slice slice, GroupState s, MonitoringConfig config) {
    boolean realised = kind.equals(REALISED);
    ClassificationMetrics.Metrics m =
        ClassificationMetrics.compute(realised ? s.realised() : s.estimated(), config.calibrationBins());
    return new DailyPerformance(
        predictedOn.plusDays(1), version, predictedOn, realised ? s.labelled() : s.rows(),
        realised ? Math.round(m.positives()) : null, finite(m.meanProbability()), finite(m.accuracy()), finite(m.rocAuc()), kind,
        slice.key(), slice.value(), realised ? finite(m.prAuc()) : null, realised ? finite(m.logLoss()) : null,
        realised ? finite(m.brier()) : null, finite(m.precision()), finite(m.recall()), finite(m.f1()), config.decisionThreshold(),
        finite(m.predictedPositiveRate()), realised ? finite(m.actualPositiveRate()) : null,
        realised ? finite(m.expectedCalibrationError()) : null, null, null, null, null, finite(m.falsePositiveRate()));
  }

  static Double finite(double value) {
    return Double.isFinite(value) ? value : null;
  }

  private static double total(double[] values) {
    double total = 0;
    for (double value : values) {
      total += value;
    }
    return total;
  }
}
