package dev.nightcast.scoring;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.nightcast.config.PipelineConfig;
import dev.nightcast.config.Task;
import dev.nightcast.features.Features;
import dev.nightcast.registry.Artifacts;
import dev.nightcast.registry.Registry;
import dev.nightcast.training.ModelFactory;
import dev.nightcast.warehouse.Tables;
import dev.nightcast.warehouse.Warehouse;
import java.time.LocalDate;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Stage 7: the champion scores the rows to score of night D (the next day's flights). Every
 * prediction carries the model version that produced it.
 */
public final class Score {
  public static final String PROBABILITY = "probability";
  /** The served column of regression pipelines: the predicted label value (e.g. delay minutes). */
  public static final String PREDICTION = "prediction";

  /** The served column: {@code probability} (in [0,1]) for classification, {@code prediction} for regression. */
  public static String column(Task task) {
    return task == Task.REGRESSION ? PREDICTION : PROBABILITY;
  }

  private Score() {}

  /**
   * Pure transform: features in, (ds, key, event time, score, model_version) out; the score column
   * is {@link #column} of the task, computed by {@link ModelFactory#score}.
   */
  public static Dataset<Row> score(PipelineModel model, int version, Dataset<Row> features, PipelineConfig pipeline) {
    return model
        .transform(features)
        .select(
            col("ds"),
            col(pipeline.entityKey()),
            col(pipeline.eventTime()),
            ModelFactory.score(model).as(column(pipeline.training().task())),
            lit(version).as(PredictionsTable.MODEL_VERSION));
  }

  /** I/O shell: scores D's scoring features with the champion and replaces D's predictions. */
  public static long run(Warehouse warehouse, PipelineConfig pipeline, Registry.Champion champion, LocalDate ds) {
    Dataset<Row> features = warehouse.readDate(Tables.FEATURES, ds).where(col("role").equalTo(Features.SCORING));
    PipelineModel model = Artifacts.load(champion.artifactPath());
    return PredictionsTable.replace(warehouse, ds, score(model, champion.version(), features, pipeline));
  }
}
