package dev.nightcast.stages;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;

import dev.nightcast.config.FeatureConfig;
import dev.nightcast.config.PipelineConfig;
import dev.nightcast.spark.Tables;
import dev.nightcast.spark.Warehouse;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Stage 3: derives the model inputs declared in the pipeline. One code path for training and
 * scoring: {@link #build} is applied to the labelled feed (role {@code labelled}) and to the feed to
 * score (role {@code scoring}), so the same flight gets the same features on both paths. History
 * features of rows dated F see only history rows dated strictly before F, so a label cannot leak
 * into its own features and both paths see the same history for the same flight.
 */
public final class Features {
  public static final String LABELLED = "labelled";
  public static final String SCORING = "scoring";
  public static final String LABEL = "label";

  private Features() {}

  /**
   * Pure transform: key, event time, each feature (numeric as double, clipped and constant-imputed
   * as declared; categorical as string) and, when the rows carry the label column, {@code label} =
   * 1.0 if column > threshold else 0.0 (for
   * regression: the column's value). {@code rowsDate} is the date the rows describe (ds plus the
   * source's day offset); {@code history} supplies the raw rows of each history source. Cost: one
   * aggregation of the history rows and one join per history feature.
   */
  public static Dataset<Row> build(
      Dataset<Row> rows, PipelineConfig pipeline, String role, LocalDate rowsDate, HistorySource history) {
    Dataset<Row> withHistory = rows;
    for (FeatureConfig feature : pipeline.features()) {
      if (feature.history() != null) {
        withHistory = withHistory.join(trailing(feature, rowsDate, history, pipeline), scala.jdk.javaapi.CollectionConverters.asScala(feature.history().by()).toSeq(), "left");
      }
    }
    List<Column> columns = new ArrayList<>();
    columns.add(col("ds"));
    columns.add(lit(role).as("role"));
    columns.add(col(pipeline.entityKey()));
    columns.add(col(pipeline.eventTime()));
    for (FeatureConfig feature : pipeline.features()) {
      columns.add(value(feature).as(feature.name()));
    }
    boolean labelled = List.of(rows.columns()).contains(pipeline.label().column());
    columns.add(
        labelled
            ? expr(pipeline.training().task().labelExpression(pipeline.label())).as(LABEL)
            : lit(null).cast("double").as(LABEL));
    return withHistory.select(columns.toArray(Column[]::new));
  }

  /** The raw rows of a source, for the history features. */
  @FunctionalInterface
  public interface HistorySource {
    Dataset<Row> rows(String source);
  }

  private static Column value(FeatureConfig feature) {
    if (feature.categorical()) {
      return expr(feature.expr()).cast("string");
    }
    Column value = feature.history() != null ? col(historyColumn(feature)) : expr(feature.expr()).cast("double");
    if (feature.clip() != null) {
      value = least(greatest(value, lit(feature.clip().get(0))), lit(feature.clip().get(1)));
    }
    if (FeatureConfig.CONSTANT.equals(feature.impute())) {
      value = coalesce(value, lit(feature.imputeValue()));
    }
    return value;
  }

  /**
   * The mean of the feature's expr per {@code by} over the history source's rows dated
   * [rowsDate - days, rowsDate - 1]. A history row's date is its ds plus its source's day offset.
   */
  static Dataset<Row> trailing(FeatureConfig feature, LocalDate rowsDate, HistorySource history, PipelineConfig pipeline) {
    FeatureConfig.HistoryConfig spec = feature.history();
    int offset = pipeline.source(spec.source()).dayOffset();
    LocalDate first = rowsDate.minusDays(spec.days()).minusDays(offset);
    LocalDate last = rowsDate.minusDays(1).minusDays(offset);
    List<Column> keys = spec.by().stream().map(c -> col(c)).toList();
    return history
        .rows(spec.source())
        .where(col("ds").between(Date.valueOf(first), Date.valueOf(last)))
        .groupBy(keys.toArray(Column[]::new))
        .agg(avg(expr(feature.expr()).cast("double")).as(historyColumn(feature)));
  }

  private static String historyColumn(FeatureConfig feature) {
    return "__history_" + feature.name();
  }

  /** I/O shell: features of D's labelled rows and of D's rows to score, replacing that date. */
  public static long run(Warehouse warehouse, PipelineConfig pipeline, LocalDate ds) {
    HistorySource history = source -> warehouse.read(Tables.raw(source));
    String labelSource = pipeline.label().source();
    Dataset<Row> labelled =
        build(warehouse.readDate(Tables.raw(labelSource), ds), pipeline, LABELLED, ds.plusDays(pipeline.source(labelSource).dayOffset()), history);
    Dataset<Row> scoring =
        build(
            warehouse.readDate(Tables.raw(pipeline.scoringSource()), ds), pipeline, SCORING,
            ds.plusDays(pipeline.source(pipeline.scoringSource()).dayOffset()), history);
    return warehouse.replaceDate(Tables.FEATURES, ds, labelled.unionByName(scoring));
  }

  public static List<String> names(PipelineConfig pipeline) {
    return pipeline.features().stream().map(FeatureConfig::name).toList();
  }
}
