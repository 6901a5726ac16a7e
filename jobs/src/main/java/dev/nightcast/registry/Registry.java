package dev.nightcast.registry;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.nightcast.spark.Tables;
import dev.nightcast.spark.Warehouse;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The model registry: {@code models} holds every trained candidate with its lineage,
 * {@code model_events} every alias move. The champion on date D is the model named by the latest
 * promote or rollback event on or before D, so "which model served on D" is one query.
 */
public final class Registry {
  public static final String PROMOTE = "promote";
  public static final String REJECT = "reject";
  public static final String ROLLBACK = "rollback";

  public static final StructType MODELS_SCHEMA =
      new StructType()
          .add("ds", DataTypes.DateType, false)
          .add("run_id", DataTypes.StringType, false)
          .add("version", DataTypes.IntegerType, false)
          .add("candidate", DataTypes.StringType, false)
          .add("algorithm", DataTypes.StringType, false)
          .add("is_baseline", DataTypes.BooleanType, false)
          .add("params", DataTypes.StringType, false)
          .add("feature_names", DataTypes.createArrayType(DataTypes.StringType), false)
          .add("seed", DataTypes.LongType, false)
          .add("window_start", DataTypes.DateType, false)
          .add("window_end", DataTypes.DateType, false)
          .add("train_rows", DataTypes.LongType, false)
          .add("validation_rows", DataTypes.LongType, false)
          .add("test_rows", DataTypes.LongType, false)
          .add("validation_auc", DataTypes.DoubleType, true)
          .add("test_auc", DataTypes.DoubleType, true)
          .add("train_seconds", DataTypes.DoubleType, false)
          .add("decision", DataTypes.StringType, false)
          .add("reason", DataTypes.StringType, false)
          .add("input_versions", DataTypes.StringType, false)
          .add("config_sha256", DataTypes.StringType, false)
          .add("code_version", DataTypes.StringType, false)
          .add("artifact_path", DataTypes.StringType, false);

  public static final StructType EVENTS_SCHEMA =
      new StructType()
          .add("ds", DataTypes.DateType, false)
          .add("seq", DataTypes.IntegerType, false)
          .add("event", DataTypes.StringType, false)
          .add("model_version", DataTypes.IntegerType, false)
          .add("previous_version", DataTypes.IntegerType, true)
          .add("reason", DataTypes.StringType, false)
          .add("actor", DataTypes.StringType, false);

  private Registry() {}

  /** The serving model as of {@code asOf}. */
  public record Champion(int version, LocalDate trainedOn, String artifactPath) {}

  public static Optional<Champion> champion(Warehouse warehouse, LocalDate asOf) {
    if (!warehouse.exists(Tables.MODEL_EVENTS)) {
      return Optional.empty();
    }
    List<Row> latest =
        warehouse
            .read(Tables.MODEL_EVENTS)
            .where(col("ds").leq(lit(java.sql.Date.valueOf(asOf))).and(col("event").isin(PROMOTE, ROLLBACK)))
            .orderBy(col("ds").desc(), col("seq").desc())
            .limit(1)
            .collectAsList();
    if (latest.isEmpty()) {
      return Optional.empty();
    }
    int version = latest.get(0).getInt(latest.get(0).fieldIndex("model_version"));
    Row model = models(warehouse).where(col("version").equalTo(version)).select("ds", "artifact_path").head();
    return Optional.of(new Champion(version, model.getDate(0).toLocalDate(), model.getString(1)));
  }

  public static Dataset<Row> models(Warehouse warehouse) {
    return warehouse.read(Tables.MODELS);
  }

  /** Versions are dense and ordered by training date; a re-run of date D reuses D's numbers. */
  public static int nextVersion(Warehouse warehouse, LocalDate ds) {
    if (!warehouse.exists(Tables.MODELS)) {
      return 1;
    }
    Row max =
        models(warehouse).where(col("ds").lt(lit(java.sql.Date.valueOf(ds)))).agg(org.apache.spark.sql.functions.max("version")).head();
    return max.isNullAt(0) ? 1 : max.getInt(0) + 1;
  }

  public static String artifactPath(Warehouse warehouse, int version) {
    return warehouse.root() + "/_artifacts/models/v" + version;
  }
}
