package dev.nightcast.features;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import dev.nightcast.config.ConfigLoader;
import dev.nightcast.config.FeatureConfig;
import dev.nightcast.config.PipelineConfig;
import dev.nightcast.warehouse.Tables;
import dev.nightcast.warehouse.Warehouse;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * Stage 3: derives the model inputs declared in the pipeline. One code path for training and
 * scoring: {@link #build} derives the features of the labelled feed (role {@code labelled}) and of
 * the feed to score (role {@code scoring}) in one plan, so the same flight gets the same features on
 * both paths. History features of rows dated F see only history rows dated strictly before F, so a
 * label cannot leak into its own features and both paths see the same history for the same flight.
 */
public final class Features {
  public static final String LABELLED = "labelled";
  public static final String SCORING = "scoring";
  public static final String LABEL = "label";
  /** The column holding {@link #derivation} of the pipeline the rows were derived with. */
  public static final String DERIVATION = "derivation";
  private static final String ROLE = "__role";
  private static final String ROWS_DATE = "__rows_date";

  private Features() {}

  /**
   * Rows to derive features for: {@code rowsDate} is the date the rows describe (ds plus the
   * source's day offset), which bounds their history features; rows of role {@code labelled} carry
   * the label column.
   */
  public record Input(Dataset<Row> rows, String role, LocalDate rowsDate) {}

  /**
   * Pure transform: per input row its ds, role, key, event time, each feature (numeric as double,
   * clipped and constant-imputed as declared; categorical as string) and {@code label} = 1.0 if
   * column > threshold else 0.0 for labelled rows (for regression: the column's value; null for
   * rows to score). {@code history} supplies the raw rows of each history source. Cost: per history
   * feature one scan of its source over the window of all inputs' dates, one aggregation and one
   * join; the inputs share them (a night's two feeds describe two dates, one day apart).
   */
  public static Dataset<Row> build(List<Input> inputs, PipelineConfig pipeline, HistorySource history) {
    String labelColumn = pipeline.label().column();
    Dataset<Row> rows =
        inputs.stream()
            .map(input -> input.rows().withColumn(ROLE, lit(input.role())).withColumn(ROWS_DATE, lit(Date.valueOf(input.rowsDate()))))
            .reduce((a, b) -> a.unionByName(b, true))
            .orElseThrow(() -> new IllegalArgumentException("no rows to derive features for"));
    List<LocalDate> dates = inputs.stream().map(Input::rowsDate).distinct().sorted().toList();
    for (FeatureConfig feature : pipeline.features()) {
      if (feature.history() != null) {
        List<String> keys = new ArrayList<>(feature.history().by());
        keys.add(ROWS_DATE);
        rows = rows.join(trailing(feature, dates, history, pipeline), scala.jdk.javaapi.CollectionConverters.asScala(keys).toSeq(), "left");
      }
    }
    List<Column> columns = new ArrayList<>();
    columns.add(col("ds"));
    columns.add(col(ROLE).as("role"));
    columns.add(col(pipeline.entityKey()));
    columns.add(col(pipeline.eventTime()));
    for (FeatureConfig feature : pipeline.features()) {
      columns.add(value(feature).as(feature.name()));
    }
    boolean labelled = List.of(rows.columns()).contains(labelColumn);
    columns.add(
        labelled
            ? when(col(ROLE).equalTo(LABELLED), expr(pipeline.training().task().labelExpression(pipeline.label()))).as(LABEL)
            : lit(null).cast("double").as(LABEL));
    columns.add(lit(derivation(pipeline)).as(DERIVATION));
    return rows.select(columns.toArray(Column[]::new));
  }

  /**
   * Reads each feature's expr with Spark's parser and analyser over empty rows of the declared
   * columns (no job runs): a typo, an unknown function or column stops the night before ingest
   * writes anything, not in the features stage. A plain feature sees the label and scoring sources'
   * columns, a history feature its history source's; both see {@code ds}.
   *
   * @throws IllegalArgumentException naming {@code features[i].expr}, with Spark's first line
   */
  public static void checkExpressions(SparkSession spark, PipelineConfig pipeline) {
    for (int i = 0; i < pipeline.features().size(); i++) {
      FeatureConfig feature = pipeline.features().get(i);
      List<String> sources = feature.history() != null
          ? List.of(feature.history().source())
          : List.of(pipeline.label().source(), pipeline.scoringSource());
      Map<String, String> columns = new LinkedHashMap<>(Map.of("ds", "date"));
      sources.forEach(source -> columns.putAll(pipeline.source(source).schema()));
      StructType schema = StructType.fromDDL(
          columns.entrySet().stream().map(c -> "`" + c.getKey() + "` " + c.getValue()).collect(Collectors.joining(", ")));
      try {
        spark.createDataFrame(List.of(), schema).select(expr(feature.expr()));
      } catch (Exception e) { // Spark's ParseException and AnalysisException, checked ones Scala does not declare
        throw new IllegalArgumentException("'features[" + i + "].expr' is not a Spark SQL expression Spark can read over the columns "
            + columns.keySet() + " (" + String.valueOf(e.getMessage()).strip().lines().findFirst().orElse("") + ")", e);
      }
    }
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
   * Per {@code by} and rows date F of {@code rowsDates}: the mean of the feature's expr over the
   * history source's rows dated [F - days, F - 1] (a history row's date is its ds plus its source's
   * day offset). One scan of the dates all windows cover; each row counts for every window holding it.
   */
  static Dataset<Row> trailing(FeatureConfig feature, List<LocalDate> rowsDates, HistorySource history, PipelineConfig pipeline) {
    FeatureConfig.HistoryConfig spec = feature.history();
    int offset = pipeline.source(spec.source()).dayOffset();
    Column[] windows =
        rowsDates.stream()
            .map(date -> when(col("ds").between(Date.valueOf(date.minusDays(spec.days() + offset)), Date.valueOf(date.minusDays(1 + offset))),
                lit(Date.valueOf(date))))
            .toArray(Column[]::new);
    List<Column> by = spec.by().stream().map(c -> col(c)).toList();
    List<Column> columns = new ArrayList<>(by);
    columns.add(explode(array(windows)).as(ROWS_DATE));
    columns.add(expr(feature.expr()).cast("double").as(historyColumn(feature)));
    List<Column> keys = new ArrayList<>(by);
    keys.add(col(ROWS_DATE));
    LocalDate first = rowsDates.get(0).minusDays(spec.days() + offset);
    LocalDate last = rowsDates.get(rowsDates.size() - 1).minusDays(1 + offset);
    return history
        .rows(spec.source())
        .where(col("ds").between(Date.valueOf(first), Date.valueOf(last)))
        .select(columns.toArray(Column[]::new))
        .where(col(ROWS_DATE).isNotNull())
        .groupBy(keys.toArray(Column[]::new))
        .agg(avg(col(historyColumn(feature))).as(historyColumn(feature)));
  }

  private static String historyColumn(FeatureConfig feature) {
    return "__history_" + feature.name();
  }

  /** I/O shell: features of D's labelled rows and of D's rows to score, replacing that date. */
  public static long run(Warehouse warehouse, PipelineConfig pipeline, LocalDate ds) {
    String labelSource = pipeline.label().source();
    String scoringSource = pipeline.scoringSource();
    List<Input> inputs =
        List.of(
            new Input(warehouse.readDate(Tables.raw(labelSource), ds), LABELLED, ds.plusDays(pipeline.source(labelSource).dayOffset())),
            new Input(warehouse.readDate(Tables.raw(scoringSource), ds), SCORING, ds.plusDays(pipeline.source(scoringSource).dayOffset())));
    return FeaturesTable.replace(warehouse, ds, build(inputs, pipeline, source -> warehouse.read(Tables.raw(source))));
  }

  /**
   * I/O shell: derives again the labelled nights of the training window ending at D whose rows were
   * written with another {@link #derivation} (a feature added, removed or changed, or the label),
   * when their raw label rows are still there; the others stay as they are, and training names them.
   * So a changed {@code features[]} trains on the next due night without a backfill. When nothing
   * changed, Delta's file statistics skip every file of the query.
   *
   * @return the nights derived again, in date order
   */
  public static SortedSet<LocalDate> rederive(Warehouse warehouse, PipelineConfig pipeline, LocalDate ds) {
    LocalDate from = ds.minusDays(pipeline.training().windowDays() - 1L);
    SortedSet<LocalDate> other = withRawLabels(warehouse, pipeline, FeaturesTable.otherDerivations(warehouse, from, ds.minusDays(1), derivation(pipeline)));
    other.forEach(night -> run(warehouse, pipeline, night));
    return other;
  }

  /**
   * The nights among {@code nights} whose raw label rows exist, the ones {@link #run} can derive
   * again (one distinct-date query on the label source's raw table; none for no nights).
   */
  public static SortedSet<LocalDate> withRawLabels(Warehouse warehouse, PipelineConfig pipeline, SortedSet<LocalDate> nights) {
    SortedSet<LocalDate> found = new TreeSet<>(nights);
    if (!nights.isEmpty()) {
      found.retainAll(HistoryCoverage.ingestedDates(warehouse, pipeline.label().source(), nights.first(), nights.last()));
    }
    return found;
  }

  /**
   * The first 128 bits (32 hex digits) of the SHA-256 of what the stored values depend on: per
   * feature its name, type, expr, clip, constant
   * imputation and history window, and the label expression (learned imputation and
   * {@code max_categories} act inside the model, so they are left out). Rows of another derivation
   * would mix two definitions of a feature in one training window.
   */
  public static String derivation(PipelineConfig pipeline) {
    List<String> lines = new ArrayList<>();
    for (FeatureConfig feature : pipeline.features()) {
      FeatureConfig.HistoryConfig history = feature.history();
      lines.add(String.join("\t", feature.name(), feature.type(), feature.expr(), String.valueOf(feature.clip()),
          FeatureConfig.CONSTANT.equals(feature.impute()) ? "impute " + feature.imputeValue() : "",
          history == null ? "" : "history " + history.source() + " by " + history.by() + " over " + history.days() + " days, offset "
              + pipeline.source(history.source()).dayOffset()));
    }
    lines.add("label\t" + pipeline.training().task().labelExpression(pipeline.label()));
    // 32 characters: Delta keeps string statistics of that length whole, so a file's min and max
    // equal the derivation and a query for other derivations skips every current file
    return ConfigLoader.sha256(String.join("\n", lines)).substring(0, 32);
  }

  public static List<String> names(PipelineConfig pipeline) {
    return pipeline.features().stream().map(FeatureConfig::name).toList();
  }
}
