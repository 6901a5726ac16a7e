package dev.nightcast.monitoring;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import dev.nightcast.config.MonitoringConfig;
import dev.nightcast.monitoring.PerformanceDailyTable.DailyPerformance;
import dev.nightcast.scoring.Score;
import dev.nightcast.training.Metrics;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Daily regression performance per model version and slice, realised from the predictions whose
 * labels arrived: RMSE, MAE, R² and the mean error (prediction - label). There is no label-free
 * estimate: a predicted value carries no confidence to estimate its error from.
 */
public final class RegressionPerformance {
  private RegressionPerformance() {}

  /**
   * The sums of one (predicted_on, model_version, slice) group. {@code labelled} counts the rows
   * with a label and a finite prediction; the error and label sums run over those rows.
   */
  public record State(
      long rows, long labelled, long positives, double squaredErrors, double absoluteErrors, double errors, double labels, double squaredLabels) {
    double rmse() {
      return Math.sqrt(squaredErrors / labelled);
    }

    double mae() {
      return absoluteErrors / labelled;
    }

    /** 1 - SSE / SST with SST = sum(label²) - sum(label)² / n; undefined (NaN) when every label is equal. */
    double r2() {
      double total = squaredLabels - labels * labels / labelled;
      return total > 0 ? 1 - squaredErrors / total : Double.NaN;
    }

    double meanError() {
      return errors / labelled;
    }
  }

  /**
   * Spark work: the sums of every (predicted_on, model_version, slice_key, slice_value) group of
   * {@code scored} (columns ds, model_version, prediction, outcome (label or null), slice_key,
   * slice_value). Sums are exact ({@link Metrics#exactSum}: errors are unbounded, unlike a
   * classification's terms), so a re-run gives the same metrics to the last bit. Cost: one aggregation pass; the state is one row per group.
   */
  public static Map<Performance.Group, State> computeState(Dataset<Row> scored, double labelThreshold) {
    String p = Score.PREDICTION;
    // a NaN or infinite prediction has no error (numerical_stability alerts on it); exact sums would fail on it
    String valid = Performance.OUTCOME + " IS NOT NULL AND " + p + " IS NOT NULL AND NOT isnan(" + p + ") AND abs(" + p + ") != double('inf')";
    String error = p + " - " + Performance.OUTCOME;
    Map<Performance.Group, State> out = new HashMap<>();
    List<Column> aggregates =
        new ArrayList<>(
            List.of(
                sum(expr("CASE WHEN " + valid + " THEN 1 ELSE 0 END")).cast("long").as("labelled"),
                sum(expr("CASE WHEN " + valid + " AND " + Performance.OUTCOME + " > " + labelThreshold + " THEN 1 ELSE 0 END")).cast("long").as("positives")));
    Map<String, String> terms = new LinkedHashMap<>();
    terms.put("sse", "(" + error + ") * (" + error + ")");
    terms.put("sae", "abs(" + error + ")");
    terms.put("se", error);
    terms.put("sl", Performance.OUTCOME);
    terms.put("sll", Performance.OUTCOME + " * " + Performance.OUTCOME);
    terms.forEach((name, term) -> aggregates.addAll(List.of(Metrics.exactSum(expr(valid(valid, term)), name))));
    for (Row row :
        scored
            .where(col("model_version").isNotNull()) // rows no model scored (before the first training)
            .groupBy(col("ds"), col("model_version"), col(Slices.KEY), col(Slices.VALUE))
            .agg(count(lit(1)).as("n"), aggregates.toArray(Column[]::new))
            .collectAsList()) {
      Performance.Group group =
          new Performance.Group(row.<Date>getAs("ds").toLocalDate(), row.<Integer>getAs("model_version"), Slices.of(row.getAs(Slices.KEY), row.getAs(Slices.VALUE)));
      double[] sums = terms.keySet().stream().mapToDouble(name -> Metrics.exact(row, name).doubleValue()).toArray();
      out.put(group, new State(row.getAs("n"), row.getAs("labelled"), row.getAs("positives"), sums[0], sums[1], sums[2], sums[3], sums[4]));
    }
    return out;
  }

  /** {@code expression} on the valid rows, 0 on the others (never evaluated there: a NaN has no exact sum). */
  private static String valid(String valid, String expression) {
    return "CASE WHEN " + valid + " THEN " + expression + " ELSE 0 END";
  }

  /**
   * Pure: the realised rows (keyed by ds = predicted_on + 1) of every group with labels, for the
   * whole population and the kept slices (the {@code top} values with the most labelled rows).
   */
  public static List<DailyPerformance> rows(Map<Performance.Group, State> state, MonitoringConfig config) {
    Map<LocalDate, Map<Integer, Map<Slices.Slice, State>>> labelled = new TreeMap<>();
    state.forEach((group, s) -> {
      if (s.labelled() > 0) {
        labelled.computeIfAbsent(group.predictedOn(), d -> new TreeMap<>()).computeIfAbsent(group.modelVersion(), v -> new HashMap<>()).put(group.slice(), s);
      }
    });
    List<DailyPerformance> out = new ArrayList<>();
    labelled.forEach((predictedOn, versions) -> versions.forEach((version, slices) -> {
      Map<Slices.Slice, Long> sizes = new HashMap<>();
      slices.forEach((slice, s) -> sizes.put(slice, s.labelled()));
      for (Slices.Slice slice : Slices.kept(sizes, config.slices())) {
        State s = slices.get(slice);
        out.add(new DailyPerformance(
            predictedOn.plusDays(1), version, predictedOn, s.labelled(), s.positives(), null, null, null, Performance.REALISED, slice.key(),
            slice.value(), null, null, null, null, null, null, config.decisionThreshold(), null, null, null, Performance.finite(s.rmse()),
            Performance.finite(s.mae()), Performance.finite(s.r2()), Performance.finite(s.meanError()), null));
      }
    }));
    return out;
  }
}
