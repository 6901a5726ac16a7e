package dev.nightcast.stages;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import dev.nightcast.config.PipelineConfig;
import dev.nightcast.config.Task;
import dev.nightcast.spark.Tables;
import dev.nightcast.spark.Warehouse;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Stage 9: performance of the predictions whose labels arrived on night D (made on D-1 for the
 * flights of D), and drift of D's rows to score against the serving model's training reference.
 */
public final class Monitor {
  public static final StructType PERFORMANCE_SCHEMA =
      new StructType()
          .add("ds", DataTypes.DateType, false)
          .add("model_version", DataTypes.IntegerType, false)
          .add("predicted_on", DataTypes.DateType, false)
          .add("rows", DataTypes.LongType, false)
          .add("positives", DataTypes.LongType, false)
          .add("mean_probability", DataTypes.DoubleType, true)
          .add("accuracy", DataTypes.DoubleType, true)
          .add("roc_auc", DataTypes.DoubleType, true)
          // regression pipelines: the error of the served prediction (null for classification)
          .add("rmse", DataTypes.DoubleType, true)
          .add("mae", DataTypes.DoubleType, true);

  public static final StructType DRIFT_SCHEMA =
      new StructType()
          .add("ds", DataTypes.DateType, false)
          .add("model_version", DataTypes.IntegerType, false)
          .add("column_name", DataTypes.StringType, false)
          .add("comparison", DataTypes.StringType, false)
          .add("metric", DataTypes.StringType, false)
          .add("value", DataTypes.DoubleType, true)
          .add("threshold", DataTypes.DoubleType, false)
          .add("drifted", DataTypes.BooleanType, false);

  /** Floor for empty bins in PSI, as a proportion (the common choice in PSI write-ups). */
  public static final double PSI_EPSILON = 1e-4;

  private Monitor() {}

  /**
   * Joins predictions with the labelled outcomes by entity key and computes the day's metrics per
   * model version. Cost: one join and aggregation, plus one AUC pass per model version.
   */
  public static List<Row> performance(Dataset<Row> predictions, Dataset<Row> labelled, PipelineConfig pipeline, LocalDate ds) {
    if (pipeline.training().task() == Task.REGRESSION) {
      return regressionPerformance(predictions, labelled, pipeline, ds);
    }
    Dataset<Row> joined =
        predictions
            .select(col(pipeline.entityKey()), col("model_version"), col("ds").as("predicted_on"), col(Score.PROBABILITY))
            .join(labelled.where(col(Features.LABEL).isNotNull()).select(col(pipeline.entityKey()), col(Features.LABEL)), pipeline.entityKey());
    List<Row> groups =
        joined
            .groupBy("model_version", "predicted_on")
            .agg(
                count(lit(1)).as("rows"),
                sum(col(Features.LABEL)).cast("long").as("positives"),
                avg(col(Score.PROBABILITY)).as("mean_probability"),
                avg(expr("cast((probability >= 0.5) = (label = 1.0) as double)")).as("accuracy"))
            .orderBy("model_version")
            .collectAsList();
    BinaryClassificationEvaluator auc =
        new BinaryClassificationEvaluator().setLabelCol(Features.LABEL).setRawPredictionCol(Score.PROBABILITY);
    List<Row> out = new ArrayList<>();
    for (Row group : groups) {
      int version = group.getInt(0);
      long positives = group.getLong(3);
      long rows = group.getLong(2);
      // AUC is undefined when the day has a single class
      Double rocAuc =
          positives == 0 || positives == rows ? null : auc.evaluate(joined.where(col("model_version").equalTo(version)));
      out.add(RowFactory.create(Date.valueOf(ds), version, group.getDate(1), rows, positives, group.get(4), group.get(5), rocAuc, null, null));
    }
    return out;
  }

  /**
   * Regression: rows, positives (label above the label threshold), RMSE and MAE of the served
   * prediction per model version. Cost: one join and aggregation.
   */
  private static List<Row> regressionPerformance(Dataset<Row> predictions, Dataset<Row> labelled, PipelineConfig pipeline, LocalDate ds) {
    Dataset<Row> joined =
        predictions
            .select(col(pipeline.entityKey()), col("model_version"), col("ds").as("predicted_on"), col(Score.PREDICTION))
            .join(labelled.where(col(Features.LABEL).isNotNull()).select(col(pipeline.entityKey()), col(Features.LABEL)), pipeline.entityKey());
    List<Row> out = new ArrayList<>();
    for (Row group :
        joined
            .groupBy("model_version", "predicted_on")
            .agg(
                count(lit(1)).as("rows"),
                sum(expr("cast(label > " + pipeline.label().threshold() + " as long)")).as("positives"),
                expr("sqrt(avg(pow(prediction - label, 2)))").as("rmse"),
                avg(expr("abs(prediction - label)")).as("mae"))
            .orderBy("model_version")
            .collectAsList()) {
      out.add(RowFactory.create(Date.valueOf(ds), group.getInt(0), group.getDate(1), group.getLong(2), group.getLong(3), null, null, null,
          group.get(4), group.get(5)));
    }
    return out;
  }

  /** Pure: PSI of each column's slot counts against the reference's. */
  public static List<Row> drift(
      ReferenceProfile.Stored reference, Map<String, long[]> actual, int modelVersion, double threshold, LocalDate ds) {
    List<Row> out = new ArrayList<>();
    for (Binning.Spec spec : reference.specs()) {
      double psi = Binning.psi(reference.counts().get(spec.column()), actual.get(spec.column()), PSI_EPSILON);
      out.add(
          RowFactory.create(Date.valueOf(ds), modelVersion, spec.column(), "BASELINE", "psi", Double.isNaN(psi) ? null : psi,
              threshold, psi > threshold));
    }
    return out;
  }

  public record Result(int performanceRows, int driftRows) {}

  /** I/O shell: writes D's performance and drift rows (replacing D's). */
  public static Result run(Warehouse warehouse, PipelineConfig pipeline, LocalDate ds) {
    List<Row> performance = List.of();
    if (warehouse.exists(Tables.PREDICTIONS)) {
      Dataset<Row> predictions = warehouse.readDate(Tables.PREDICTIONS, ds.minusDays(1));
      Dataset<Row> labelled = warehouse.readDate(Tables.FEATURES, ds).where(col("role").equalTo(Features.LABELLED));
      performance = performance(predictions, labelled, pipeline, ds);
    }
    warehouse.replaceDate(
        Tables.PERFORMANCE_DAILY, ds, warehouse.spark().createDataFrame(performance, PERFORMANCE_SCHEMA).coalesce(1));

    List<Row> drift = new ArrayList<>();
    if (warehouse.exists(Tables.PREDICTIONS)) {
      List<Row> served = warehouse.readDate(Tables.PREDICTIONS, ds).select("model_version").distinct().collectAsList();
      for (Row row : served) {
        int version = row.getInt(0);
        LocalDate trainedOn =
            warehouse.read(Tables.MODELS).where(col("version").equalTo(version)).select("ds").head().getDate(0).toLocalDate();
        ReferenceProfile.Stored reference = ReferenceProfile.read(warehouse, trainedOn);
        Dataset<Row> scoring = warehouse.readDate(Tables.FEATURES, ds).where(col("role").equalTo(Features.SCORING));
        drift.addAll(drift(reference, Binning.counts(scoring, reference.specs()), version, pipeline.monitoring().psiThreshold(), ds));
      }
    }
    warehouse.replaceDate(Tables.DRIFT_DAILY, ds, warehouse.spark().createDataFrame(drift, DRIFT_SCHEMA).coalesce(1));
    return new Result(performance.size(), drift.size());
  }
}
