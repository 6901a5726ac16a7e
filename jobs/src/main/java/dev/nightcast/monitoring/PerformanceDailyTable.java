package dev.nightcast.monitoring;

import dev.nightcast.warehouse.TableContract;
import dev.nightcast.warehouse.Tables;
import dev.nightcast.warehouse.Warehouse;
import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;

/**
 * The performance_daily table (contract): the metrics of each model version's predictions per
 * outcome date and slice, {@code realised} once their labels arrived and {@code estimated} (label
 * free) before, as {@link Performance} computes them (regression pipelines: realised errors from
 * {@link Monitor}). Night D writes the realised rows of ds = D and the estimated rows of
 * ds = D + 1. The performance alerts, the retrain rules, the report and analysts read it. Only this
 * class writes it.
 */
public final class PerformanceDailyTable {
  public static final TableContract CONTRACT =
      TableContract.table(
              Tables.PERFORMANCE_DAILY, Monitor.class,
              "One row per outcome date ds, model version, night of prediction, kind (realised from the labels, or estimated"
                  + " without them) and slice; night D writes the realised rows of ds = D and the estimated rows of ds = D + 1")
          .column("ds", DataTypes.DateType, false, "the date the predictions are for (predicted_on + 1), whose labels arrive on night ds")
          .column("model_version", DataTypes.IntegerType, false, "the model version that made the predictions")
          .column("predicted_on", DataTypes.DateType, false, "the logical date of the night that made the predictions")
          .column("rows", DataTypes.LongType, false, "realised: the predictions with a label; estimated: every prediction")
          .column("positives", DataTypes.LongType, true,
              "realised: the labelled rows that are positive (regression: label above the label threshold); null when estimated")
          .column("mean_probability", DataTypes.DoubleType, true, "the mean served probability of the rows; null for regression")
          .column("accuracy", DataTypes.DoubleType, true, "the share of rows classified right at decision_threshold")
          .column("roc_auc", DataTypes.DoubleType, true, "ROC AUC over the score histogram (scores in one score bin count as ties)")
          .column("kind", DataTypes.StringType, false,
              "realised (from the labels) or estimated (from the probabilities alone, through the model's calibration when it has one)")
          .column("slice_key", DataTypes.StringType, true, "the slicing column; null for the whole population")
          .column("slice_value", DataTypes.StringType, true, "the slicing column's value, as a string; null for the whole population")
          .column("pr_auc", DataTypes.DoubleType, true, "average precision over the score histogram; realised only")
          .column("log_loss", DataTypes.DoubleType, true, "mean log loss, probabilities clipped to [1e-15, 1 - 1e-15]; realised only")
          .column("brier", DataTypes.DoubleType, true, "mean squared difference of probability and label; realised only")
          .column("precision", DataTypes.DoubleType, true, "precision at decision_threshold")
          .column("recall", DataTypes.DoubleType, true, "recall at decision_threshold: the true positive rate (TPR), tp / (tp + fn)")
          .column("f1", DataTypes.DoubleType, true, "F1 at decision_threshold")
          .column("decision_threshold", DataTypes.DoubleType, false, "the probability from which a row counts as predicted positive")
          .column("predicted_positive_rate", DataTypes.DoubleType, true, "the share of rows predicted positive")
          .column("actual_positive_rate", DataTypes.DoubleType, true, "the share of rows that are positive; realised only")
          .column("ece", DataTypes.DoubleType, true,
              "expected calibration error over the configured calibration bins; realised only")
          .column("rmse", DataTypes.DoubleType, true, "regression: root mean squared error of the served prediction; null for classification")
          .column("mae", DataTypes.DoubleType, true, "regression: mean absolute error; null for classification")
          .column("r2", DataTypes.DoubleType, true, "regression: coefficient of determination; null for classification")
          .column("mean_error", DataTypes.DoubleType, true,
              "regression: mean of prediction - label, positive when the model over-predicts; null for classification")
          .column("false_positive_rate", DataTypes.DoubleType, true,
              "the false positive rate (FPR) at decision_threshold, fp / (fp + tn); null without negatives, for regression, and on"
                  + " rows written before the column was added (December 2026; the first night after that adds it to the table)")
          .build();

  /** One row of the table; metrics undefined on the rows (e.g. AUC on one class) are null. */
  public record DailyPerformance(
      LocalDate ds,
      int modelVersion,
      LocalDate predictedOn,
      long rows,
      Long positives,
      Double meanProbability,
      Double accuracy,
      Double rocAuc,
      String kind,
      String sliceKey,
      String sliceValue,
      Double prAuc,
      Double logLoss,
      Double brier,
      Double precision,
      Double recall,
      Double f1,
      double decisionThreshold,
      Double predictedPositiveRate,
      Double actualPositiveRate,
      Double ece,
      Double rmse,
      Double mae,
      Double r2,
      Double meanError,
      Double falsePositiveRate) {

    /** The row in the contract's column order; it carries the schema, so it also reads by name. */
    public Row toRow() {
      return new GenericRowWithSchema(
          new Object[] {
            Date.valueOf(ds), modelVersion, Date.valueOf(predictedOn), rows, positives, meanProbability, accuracy, rocAuc, kind, sliceKey,
            sliceValue, prAuc, logLoss, brier, precision, recall, f1, decisionThreshold, predictedPositiveRate, actualPositiveRate, ece,
            rmse, mae, r2, meanError, falsePositiveRate
          },
          CONTRACT.schema());
    }

    /** Reads a row of the table by column name. */
    public static DailyPerformance fromRow(Row row) {
      return new DailyPerformance(
          row.<Date>getAs("ds").toLocalDate(), row.<Integer>getAs("model_version"), row.<Date>getAs("predicted_on").toLocalDate(),
          row.<Long>getAs("rows"), row.getAs("positives"), row.getAs("mean_probability"), row.getAs("accuracy"), row.getAs("roc_auc"),
          row.getAs("kind"), row.getAs("slice_key"), row.getAs("slice_value"), row.getAs("pr_auc"), row.getAs("log_loss"),
          row.getAs("brier"), row.getAs("precision"), row.getAs("recall"), row.getAs("f1"), row.<Double>getAs("decision_threshold"),
          row.getAs("predicted_positive_rate"), row.getAs("actual_positive_rate"), row.getAs("ece"), row.getAs("rmse"), row.getAs("mae"),
          row.getAs("r2"), row.getAs("mean_error"), optional(row, "false_positive_rate"));
    }

    /**
     * A metric column by its name (one of the performance metrics config names, e.g. roc_auc or
     * log_loss); null when undefined on the rows.
     */
    public Double metric(String column) {
      return toRow().getAs(column);
    }

    /** A column a table last written by an older nightcast lacks (mergeSchema adds it on the next write). */
    private static Double optional(Row row, String column) {
      return row.schema().getFieldIndex(column).isDefined() ? row.getAs(column) : null;
    }
  }

  private PerformanceDailyTable() {}

  /**
   * Replaces what night ds writes, in one commit: the realised rows of ds and the estimated rows of
   * ds + 1 (the estimated rows of ds, written the night before, stay). Package-private: monitoring
   * owns this table. Cost: one write job of the rows (built on the driver, one file) and the Delta
   * commit; no read.
   *
   * @return the rows written
   */
  static long replace(Warehouse warehouse, LocalDate ds, List<DailyPerformance> rows) {
    return warehouse.replace(
        CONTRACT,
        "(ds = DATE'" + ds + "' AND kind = '" + Performance.REALISED + "') OR (ds = DATE'" + ds.plusDays(1) + "' AND kind = '"
            + Performance.ESTIMATED + "')",
        warehouse.frame(CONTRACT, rows.stream().map(DailyPerformance::toRow).toList()).coalesce(1));
  }
}
