package dev.nightcast.stages;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;

import dev.nightcast.config.FeatureConfig;
import dev.nightcast.config.PipelineConfig;
import dev.nightcast.spark.Tables;
import dev.nightcast.spark.Warehouse;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Stage 3: derives the model inputs declared in the pipeline. One code path for training and
 * scoring: {@link #build} is applied to the labelled feed (role {@code labelled}) and to the feed to
 * score (role {@code scoring}), so the same flight gets the same features on both paths.
 */
public final class Features {
  public static final String LABELLED = "labelled";
  public static final String SCORING = "scoring";
  public static final String LABEL = "label";

  private Features() {}

  /**
   * Pure transform: key, event time, each feature (numeric as double, categorical as string) and,
   * when the rows carry the label column, {@code label} = 1.0 if column > threshold else 0.0 (for
   * regression: the column's value).
   */
  public static Dataset<Row> build(Dataset<Row> rows, PipelineConfig pipeline, String role) {
    List<Column> columns = new ArrayList<>();
    columns.add(col("ds"));
    columns.add(lit(role).as("role"));
    columns.add(col(pipeline.entityKey()));
    columns.add(col(pipeline.eventTime()));
    for (FeatureConfig feature : pipeline.features()) {
      columns.add(expr(feature.expr()).cast(feature.categorical() ? "string" : "double").as(feature.name()));
    }
    boolean labelled = List.of(rows.columns()).contains(pipeline.label().column());
    columns.add(
        labelled
            ? expr(pipeline.training().task().labelExpression(pipeline.label())).as(LABEL)
            : lit(null).cast("double").as(LABEL));
    return rows.select(columns.toArray(Column[]::new));
  }

  /** I/O shell: features of D's labelled rows and of D's rows to score, replacing that date. */
  public static long run(Warehouse warehouse, PipelineConfig pipeline, LocalDate ds) {
    Dataset<Row> labelled = build(warehouse.readDate(Tables.raw(pipeline.label().source()), ds), pipeline, LABELLED);
    Dataset<Row> scoring = build(warehouse.readDate(Tables.raw(pipeline.scoringSource()), ds), pipeline, SCORING);
    warehouse.replaceDate(Tables.FEATURES, ds, labelled.unionByName(scoring));
    return warehouse.readDate(Tables.FEATURES, ds).count();
  }

  public static List<String> names(PipelineConfig pipeline) {
    return pipeline.features().stream().map(FeatureConfig::name).toList();
  }
}
