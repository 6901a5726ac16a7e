package dev.nightcast.registry;

import dev.nightcast.warehouse.TableContract;
import dev.nightcast.warehouse.Tables;
import dev.nightcast.warehouse.Warehouse;
import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The model registry's {@code models} table (contract): one row per trained candidate with its
 * lineage, evaluation and the gate's decision. Training decides the rows; only {@link Registry}
 * writes them, one commit per training date.
 */
public final class ModelsTable {
  private static final DataType METRICS = DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType);
  private static final DataType STRINGS = DataTypes.createArrayType(DataTypes.StringType);

  public static final TableContract CONTRACT =
      TableContract.table(Tables.MODELS, Registry.class, "One row per trained candidate: what it was trained on, how it scored, what the gate decided.")
          .column("ds", DataTypes.DateType, false, "the night the training ran (its window ends here)")
          .column("run_id", DataTypes.StringType, false, "the run that trained it (runs.run_id)")
          .column("version", DataTypes.IntegerType, false, "the model version: one per candidate, never reused")
          .column("candidate", DataTypes.StringType, false, "the candidate's name in the pipeline file")
          .column("algorithm", DataTypes.StringType, false, "the MLlib algorithm (logistic_regression, gbt, ...)")
          .column("is_baseline", DataTypes.BooleanType, false, "whether this is the pipeline's baseline candidate")
          .column("task", DataTypes.StringType, false, "classification or regression")
          .column("params", DataTypes.StringType, false, "the chosen grid point (JSON)")
          .column("tuning", DataTypes.StringType, false, "every grid point with its validation metrics (JSON)")
          .column("feature_names", STRINGS, false, "the features the model reads, in order")
          .column("imputation", DataTypes.StringType, false, "the imputed value of each numeric feature (JSON)")
          .column("seed", DataTypes.LongType, false, "the training seed")
          .column("window_start", DataTypes.DateType, false, "the first day of the training window")
          .column("window_end", DataTypes.DateType, false, "the last day of the training window")
          .column("train_rows", DataTypes.LongType, false, "rows in the train split")
          .column("validation_rows", DataTypes.LongType, false, "rows in the validation split")
          .column("test_rows", DataTypes.LongType, false, "rows in the test split")
          .column("validation_auc", DataTypes.DoubleType, true, "ROC AUC on the validation split (classifiers)")
          .column("test_auc", DataTypes.DoubleType, true, "ROC AUC on the test split (classifiers)")
          .column("validation_metrics", METRICS, false, "every metric on the validation split")
          .column("test_metrics", METRICS, false, "every metric on the test split")
          .column("slice_metrics", DataTypes.StringType, false, "test metrics per slice of the gate's slice column (JSON)")
          .column("baseline_comparison", DataTypes.StringType, false, "the baseline's test metrics and this candidate's improvement (JSON)")
          .column("champion_version", DataTypes.IntegerType, true, "the champion it was compared with, if any")
          .column("champion_comparison", DataTypes.StringType, true, "the champion's metrics on the same test rows (JSON)")
          .column("gate_mode", DataTypes.StringType, false, "the gate's mode (auto or manual promotion)")
          .column("gate_passed", DataTypes.BooleanType, true, "the gate's verdict; null for candidates that were not the pick")
          .column("gate_reasons", STRINGS, false, "why the gate passed or failed the pick")
          .column("train_seconds", DataTypes.DoubleType, false, "wall-clock seconds of tuning and fitting (attempt detail)")
          .column("decision", DataTypes.StringType, false, "promoted, rejected or not_selected")
          .column("reason", DataTypes.StringType, false, "the decision in words")
          .column("input_versions", DataTypes.StringType, false, "the Delta versions of the tables it was trained from (JSON)")
          .column("config_sha256", DataTypes.StringType, false, "the SHA-256 of the pipeline file")
          .column("code_version", DataTypes.StringType, false, "the nightcast version and git commit")
          .column("artifact_path", DataTypes.StringType, false,
              "where this attempt stored the fitted pipeline model, relative to the warehouse root (_artifacts/models/v<version>/<run_id>)")
          .column("reference_profile", DataTypes.StringType, false, "the reference_profiles rows monitoring compares against")
          .column("calibration", DataTypes.createArrayType(DataTypes.DoubleType, false), true,
              "classifiers: the isotonic calibration map used by the label-free estimates")
          .column("backtest_mean", DataTypes.DoubleType, true,
              "the pick: its primary metric's mean over the rolling-origin backtest folds (table backtests); null for the others")
          .column("backtest_lower", DataTypes.DoubleType, true, "the pick: lower bound of that mean's 95% t interval (null with one fold)")
          .column("backtest_upper", DataTypes.DoubleType, true, "the pick: upper bound of that mean's 95% t interval (null with one fold)")
          .column("champion_difference", DataTypes.DoubleType, true,
              "the pick: its improvement over the champion in the primary metric on the same test rows (positive: better); null without"
                  + " a champion")
          .column("champion_difference_lower", DataTypes.DoubleType, true,
              "the pick: lower bound of that improvement's 95% paired interval (AUC: DeLong; RMSE: delta method; the gate rejects only"
                  + " when the upper bound is below minus the allowed regression)")
          .column("champion_difference_upper", DataTypes.DoubleType, true, "the pick: upper bound of that interval")
          .build();

  private ModelsTable() {}

  /** One registered candidate. */
  public record Model(
      LocalDate ds,
      String runId,
      int version,
      String candidate,
      String algorithm,
      boolean isBaseline,
      String task,
      String params,
      String tuning,
      List<String> featureNames,
      String imputation,
      long seed,
      LocalDate windowStart,
      LocalDate windowEnd,
      long trainRows,
      long validationRows,
      long testRows,
      Double validationAuc,
      Double testAuc,
      Map<String, Double> validationMetrics,
      Map<String, Double> testMetrics,
      String sliceMetrics,
      String baselineComparison,
      Integer championVersion,
      String championComparison,
      String gateMode,
      Boolean gatePassed,
      List<String> gateReasons,
      double trainSeconds,
      String decision,
      String reason,
      String inputVersions,
      String configSha256,
      String codeVersion,
      String artifactPath,
      String referenceProfile,
      List<Double> calibration,
      Double backtestMean,
      Double backtestLower,
      Double backtestUpper,
      Double championDifference,
      Double championDifferenceLower,
      Double championDifferenceUpper) {

    /** The row with the table's schema, so it can also be read by column name. */
    public Row toRow() {
      return new GenericRowWithSchema(new Object[] {
          Date.valueOf(ds), runId, version, candidate, algorithm, isBaseline, task, params, tuning, seq(featureNames), imputation, seed,
          Date.valueOf(windowStart), Date.valueOf(windowEnd), trainRows, validationRows, testRows, validationAuc, testAuc,
          map(validationMetrics), map(testMetrics), sliceMetrics, baselineComparison, championVersion, championComparison, gateMode,
          gatePassed, seq(gateReasons), trainSeconds, decision, reason, inputVersions, configSha256, codeVersion, artifactPath,
          referenceProfile, calibration == null ? null : seq(calibration), backtestMean, backtestLower, backtestUpper, championDifference,
          championDifferenceLower, championDifferenceUpper}, CONTRACT.schema());
    }

    public static Model fromRow(Row row) {
      return new Model(
          row.<Date>getAs("ds").toLocalDate(), row.getAs("run_id"), row.<Integer>getAs("version"), row.getAs("candidate"),
          row.getAs("algorithm"), row.<Boolean>getAs("is_baseline"), row.getAs("task"), row.getAs("params"), row.getAs("tuning"),
          row.getList(row.fieldIndex("feature_names")), row.getAs("imputation"), row.<Long>getAs("seed"),
          row.<Date>getAs("window_start").toLocalDate(), row.<Date>getAs("window_end").toLocalDate(), row.<Long>getAs("train_rows"),
          row.<Long>getAs("validation_rows"), row.<Long>getAs("test_rows"), row.getAs("validation_auc"), row.getAs("test_auc"),
          row.getJavaMap(row.fieldIndex("validation_metrics")), row.getJavaMap(row.fieldIndex("test_metrics")), row.getAs("slice_metrics"),
          row.getAs("baseline_comparison"), row.getAs("champion_version"), row.getAs("champion_comparison"), row.getAs("gate_mode"),
          row.getAs("gate_passed"), row.getList(row.fieldIndex("gate_reasons")), row.<Double>getAs("train_seconds"), row.getAs("decision"),
          row.getAs("reason"), row.getAs("input_versions"), row.getAs("config_sha256"), row.getAs("code_version"), row.getAs("artifact_path"),
          row.getAs("reference_profile"), optionalList(row, "calibration"), optionalDouble(row, "backtest_mean"),
          optionalDouble(row, "backtest_lower"), optionalDouble(row, "backtest_upper"), optionalDouble(row, "champion_difference"),
          optionalDouble(row, "champion_difference_lower"), optionalDouble(row, "champion_difference_upper"));
    }

    /** The calibration map as an array, or null (regressors, and models trained before maps were kept). */
    public double[] calibrationMap() {
      return calibration == null ? null : calibration.stream().mapToDouble(Double::doubleValue).toArray();
    }
  }

  /** Replaces the registry rows of training date {@code ds} in one commit. Cost: one small write. */
  static void replace(Warehouse warehouse, LocalDate ds, List<Model> models) {
    warehouse.replaceDate(CONTRACT, ds, warehouse.frame(CONTRACT, models.stream().map(Model::toRow).toList()).coalesce(1));
  }

  /** A column older tables lack reads as null. */
  private static List<Double> optionalList(Row row, String column) {
    int index = List.of(row.schema().fieldNames()).indexOf(column);
    return index < 0 || row.isNullAt(index) ? null : List.copyOf(row.getList(index));
  }

  /** A column older tables lack reads as null. */
  private static Double optionalDouble(Row row, String column) {
    int index = List.of(row.schema().fieldNames()).indexOf(column);
    return index < 0 || row.isNullAt(index) ? null : row.getDouble(index);
  }

  private static <T> scala.collection.immutable.Seq<T> seq(List<T> values) {
    return CollectionConverters.asScala(values).toSeq();
  }

  private static scala.collection.Map<String, Double> map(Map<String, Double> values) {
    return CollectionConverters.asScala(new TreeMap<>(values));
  }
}
