package dev.nightcast.scoring;

import dev.nightcast.warehouse.TableContract;
import dev.nightcast.warehouse.Tables;
import dev.nightcast.warehouse.Warehouse;
import java.time.LocalDate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

/**
 * The {@code predictions} table: the champion's score of each row to score of a night, which the
 * publish stage copies to Postgres. The scoring stage owns it and writes it here.
 */
public final class PredictionsTable {
  public static final String MODEL_VERSION = "model_version";

  public static final TableContract CONTRACT =
      TableContract.perPipeline(
              Tables.PREDICTIONS, PredictionsTable.class,
              "The champion's prediction for one row to score of night ds (an entity of the next day)")
          .column("ds", DataTypes.DateType, false, "the night whose rows to score these are (the partition)")
          .configured("<entity_key>", "the pipeline's entity key, as in the features")
          .configured("<event_time>", "the pipeline's event time, as in the features")
          .configured(
              Score.PROBABILITY + " | " + Score.PREDICTION,
              "the served score, a double: " + Score.PROBABILITY + " (of the positive class, in [0,1]) for classification"
                  + " pipelines, " + Score.PREDICTION + " (the predicted label value) for regression ones")
          .column(MODEL_VERSION, DataTypes.IntegerType, false, "the registry version of the model that produced the score")
          .build();

  private PredictionsTable() {}

  /**
   * Replaces D's rows with {@code predictions} (of {@link Score#score}). Cost: the scoring plan runs
   * once, in the write (a read of D's features and the model's transform), plus the Delta commit.
   *
   * @return the rows written
   */
  static long replace(Warehouse warehouse, LocalDate ds, Dataset<Row> predictions) {
    return warehouse.replaceDate(CONTRACT, ds, predictions);
  }
}
