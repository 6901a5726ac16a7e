package dev.nightcast.training;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.xxhash64;

import dev.nightcast.NightcastException;
import dev.nightcast.config.FeatureConfig;
import dev.nightcast.config.PipelineConfig;
import dev.nightcast.config.Task;
import dev.nightcast.features.Features;
import dev.nightcast.training.ImportancesTable.Importance;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PredictionModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.attribute.Attribute;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.classification.DecisionTreeClassificationModel;
import org.apache.spark.ml.classification.GBTClassificationModel;
import org.apache.spark.ml.classification.LinearSVCModel;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.classification.RandomForestClassificationModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.regression.DecisionTreeRegressionModel;
import org.apache.spark.ml.regression.GBTRegressionModel;
import org.apache.spark.ml.regression.LinearRegressionModel;
import org.apache.spark.ml.regression.RandomForestRegressionModel;
import org.apache.spark.ml.stat.Summarizer;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * Feature importances of a trained model, per declared feature: a categorical's one-hot columns
 * and a numeric feature's imputed value or bucket are encoded columns (slots) of one feature, and
 * their importances are summed back to it.
 *
 * <ul>
 *   <li>Built-in ({@link #builtin}): trees, their normalised impurity gain ({@code featureImportances},
 *       summing to 1 over the slots); linear models, |coefficient| x the slot's standard deviation
 *       on the train window. MLlib returns coefficients on the inputs' own scale, so a raw
 *       coefficient ranks features by their units (miles vs hours); times the standard deviation it
 *       is the margin's change for a typical (one sd) move of the input, comparable across features,
 *       and a rare category's one-hot slot counts for as little as it varies.
 *   <li>Permutation ({@link #permutation}): the drop of the primary metric on the validation window
 *       when one feature's values are shuffled across the rows, breaking its link to the label
 *       while keeping its distribution; one seeded shuffle in each of {@code repeats} disjoint
 *       blocks of the window, the mean and a 95% t interval over the blocks.
 * </ul>
 */
final class Importances {
  static final String BUILTIN = "builtin";
  static final String PERMUTATION = "permutation";
  /** Built-in measure of trees: the share of the impurity gain of every split on the feature. */
  static final String GAIN = "gain";
  /** Built-in measure of linear models: the sum of |coefficient| x standard deviation over the feature's slots. */
  static final String STANDARDIZED_COEFFICIENT = "standardized_coefficient";
  private static final String BLOCK = "__block";
  private static final String TARGET = "__target_rank";
  private static final String DONOR_BLOCK = "__donor_block";
  private static final String DONOR_MATCH = "__donor_match";
  private static final String DONOR_VALUE = "__donor_value";

  private static final Map<Class<?>, Function<Transformer, Vector>> GAINS = Map.of(
      GBTClassificationModel.class, m -> ((GBTClassificationModel) m).featureImportances(),
      RandomForestClassificationModel.class, m -> ((RandomForestClassificationModel) m).featureImportances(),
      DecisionTreeClassificationModel.class, m -> ((DecisionTreeClassificationModel) m).featureImportances(),
      GBTRegressionModel.class, m -> ((GBTRegressionModel) m).featureImportances(),
      RandomForestRegressionModel.class, m -> ((RandomForestRegressionModel) m).featureImportances(),
      DecisionTreeRegressionModel.class, m -> ((DecisionTreeRegressionModel) m).featureImportances());
  private static final Map<Class<?>, Function<Transformer, Vector>> COEFFICIENTS = Map.of(
      LogisticRegressionModel.class, m -> ((LogisticRegressionModel) m).coefficients(),
      LinearSVCModel.class, m -> ((LinearSVCModel) m).coefficients(),
      LinearRegressionModel.class, m -> ((LinearRegressionModel) m).coefficients());

  private Importances() {}

  /**
   * The rows of table {@code importances} for a training night: every candidate's built-in
   * importances and, unless {@code training.importance.repeats} is 0, the pick's permutation
   * importance of every feature (none where the metric is undefined on every block). Cost: with a
   * linear candidate, one aggregation pass over the encoded train window; then {@link #permutation}'s.
   */
  static List<Importance> measure(
      LocalDate ds, PipelineConfig pipeline, List<Train.Candidate> candidates, Train.Candidate pick, Dataset<Row> trainEncoded,
      Dataset<Row> validation) {
    List<String> features = Features.names(pipeline);
    double[] deviations =
        candidates.stream().anyMatch(c -> gain(estimator(c)) == null) ? deviations(trainEncoded, ModelFactory.FEATURE_VECTOR) : null;
    List<Importance> rows = new ArrayList<>();
    for (Train.Candidate candidate : candidates) {
      Builtin builtin = builtin(estimator(candidate), trainEncoded.schema(), deviations, features);
      builtin.values().forEach((feature, value) ->
          rows.add(new Importance(ds, candidate.version(), candidate.config().name(), feature, BUILTIN, builtin.metric(), value, null, null, null)));
    }
    Task task = pipeline.training().task();
    int repeats = pipeline.training().importance().repeats();
    if (repeats > 0) {
      permutation(pick.model(), validation, pipeline, repeats).forEach((feature, summary) -> {
        if (summary.mean() != null) {
          rows.add(new Importance(ds, pick.version(), pick.config().name(), feature, PERMUTATION, task.primaryMetric(), summary.mean(),
              summary.lower(), summary.upper(), summary.folds()));
        }
      });
    }
    return rows;
  }

  /** A candidate's fitted estimator: the last stage of its pipeline (after the shared preprocessing). */
  private static Transformer estimator(Train.Candidate candidate) {
    Transformer[] stages = candidate.model().stages();
    return stages[stages.length - 1];
  }

  /** One model's built-in importances: the measure and, per declared feature in declaration order, its value. */
  record Builtin(String metric, Map<String, Double> values) {}

  /**
   * The built-in importances of {@code fitted} (a candidate's estimator stage), read from its
   * input vector's slots in {@code encoded} (the preprocessed train window's schema).
   *
   * @param deviations the standard deviation of each slot of the linear layout on the train window
   *     (read for linear models only)
   */
  static Builtin builtin(Transformer fitted, StructType encoded, double[] deviations, List<String> features) {
    String[] slots = slotFeatures(slotNames(encoded, ((PredictionModel<?, ?>) fitted).getFeaturesCol()), features);
    Vector gain = gain(fitted);
    if (gain != null) {
      return new Builtin(GAIN, sumPerFeature(slots, gain.toArray(), features));
    }
    double[] coefficients = coefficients(fitted).toArray();
    double[] standardized = new double[coefficients.length];
    for (int i = 0; i < coefficients.length; i++) {
      standardized[i] = Math.abs(coefficients[i]) * deviations[i];
    }
    return new Builtin(STANDARDIZED_COEFFICIENT, sumPerFeature(slots, standardized, features));
  }

  /** The trees' normalised gains; null for a model without (MLlib's tree models share no interface for them). */
  private static Vector gain(Transformer fitted) {
    Function<Transformer, Vector> gain = GAINS.get(fitted.getClass());
    return gain == null ? null : gain.apply(fitted);
  }

  private static Vector coefficients(Transformer fitted) {
    Function<Transformer, Vector> coefficients = COEFFICIENTS.get(fitted.getClass());
    if (coefficients == null) {
      throw NightcastException.internal("Cannot explain a " + fitted.getClass().getSimpleName() + ": it has neither tree gains nor coefficients", null);
    }
    return coefficients.apply(fitted);
  }

  /**
   * The standard deviation of each slot of {@code column} over {@code rows}. Cost: one aggregation
   * pass over the (cached) rows.
   */
  static double[] deviations(Dataset<Row> rows, String column) {
    Row summary = rows.select(Summarizer.std(col(column)).as("std")).head();
    return summary.<Vector>getAs("std").toArray();
  }

  /** The names of a vector column's slots, from the ML attributes its assembler wrote. */
  static String[] slotNames(StructType schema, String column) {
    AttributeGroup group = AttributeGroup.fromStructField(schema.apply(column));
    Attribute[] attributes = group.attributes().get();
    String[] names = new String[attributes.length];
    for (int i = 0; i < attributes.length; i++) {
      names[i] = attributes[i].name().get();
    }
    return names;
  }

  /**
   * Pure: the declared feature of each slot, by name: the slot is the feature's own column or one
   * derived from it, whose name adds a {@code __} suffix (ModelFactory's {@code __imputed},
   * {@code __bucket}, {@code __index}, {@code __onehot_<value>}); the longest such feature name wins,
   * so a feature {@code a__b} keeps its slots from a feature {@code a}.
   */
  static String[] slotFeatures(String[] slots, List<String> features) {
    String[] out = new String[slots.length];
    for (int i = 0; i < slots.length; i++) {
      for (String feature : features) {
        boolean derived = slots[i].equals(feature) || slots[i].startsWith(feature + "__");
        if (derived && (out[i] == null || feature.length() > out[i].length())) {
          out[i] = feature;
        }
      }
      if (out[i] == null) {
        throw NightcastException.internal("Cannot explain the model: its input column '" + slots[i] + "' comes from no declared feature " + features, null);
      }
    }
    return out;
  }

  /** Pure: the slots' values summed per feature, every feature in declaration order (0 without slots). */
  static Map<String, Double> sumPerFeature(String[] slotFeatures, double[] values, List<String> features) {
    Map<String, Double> sums = new LinkedHashMap<>();
    features.forEach(feature -> sums.put(feature, 0.0));
    for (int i = 0; i < values.length; i++) {
      sums.merge(slotFeatures[i], values[i], Double::sum);
    }
    return sums;
  }

  /**
   * Permutation importance of {@code model} (a full pipeline, preprocessing included) on {@code
   * validation}. The rows are dealt into {@code repeats} disjoint blocks by a seeded hash of (key,
   * ds); per declared feature, its values are shuffled across the rows of each block and the block
   * scored, and the block's importance is how much better the model is on the block as it is than
   * shuffled. Disjoint blocks make the repeats independent samples of the validation rows, so the
   * t interval covers the rows' sampling noise, not only the shuffle's: reshuffling one fixed
   * window again and again would call a pure-noise feature helpful whenever the window's noise
   * happens to agree with the model's small weight on it (about one window in five at 5 repeats).
   * The shuffle sends the value of the row ranked k by a hash of (seed, feature, key, ds) to the
   * row ranked k by (key, ds) in the same block: the same seed gives the same rows the same values
   * whatever the partitioning.
   *
   * <p>Cost: the rows ranked within their block once (a shuffle into {@code repeats} partitions) and
   * cached, and one scoring pass over them as they are; then per feature, the rows ranked by the
   * shuffle's hash, joined back and scored in one pass. Each pass is one aggregation job per block
   * ({@link Metrics#compute}): a few rows per block reach the driver.
   *
   * @return per declared feature in declaration order, its mean and 95% t interval over the blocks
   *     where the metric is defined
   */
  static Map<String, Backtest.Summary> permutation(PipelineModel model, Dataset<Row> validation, PipelineConfig pipeline, int repeats) {
    Task task = pipeline.training().task();
    String metric = task.primaryMetric();
    Column key = col(pipeline.entityKey());
    long seed = pipeline.training().seed();
    // the rows' block and rank within it are the same for every feature: computed once, kept
    Dataset<Row> blocks =
        validation
            .withColumn(BLOCK, pmod(xxhash64(lit(seed), key, col("ds")), lit(repeats)).cast("int"))
            .withColumn(TARGET, row_number().over(Window.partitionBy(col(BLOCK)).orderBy(key, col("ds"))))
            .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Map<String, Map<String, Double>> unpermuted = byBlock(model, blocks, task);
      Map<String, Backtest.Summary> out = new LinkedHashMap<>();
      for (FeatureConfig feature : pipeline.features()) {
        Column shuffle = xxhash64(lit(seed), lit(feature.name()), key, col("ds"));
        Dataset<Row> donors =
            blocks.select(
                col(BLOCK).as(DONOR_BLOCK), row_number().over(Window.partitionBy(col(BLOCK)).orderBy(shuffle, key, col("ds"))).as(DONOR_MATCH),
                col(feature.name()).as(DONOR_VALUE));
        Dataset<Row> permuted =
            blocks
                .join(donors, col(BLOCK).equalTo(col(DONOR_BLOCK)).and(col(TARGET).equalTo(col(DONOR_MATCH))))
                .withColumn(feature.name(), col(DONOR_VALUE))
                .drop(DONOR_BLOCK, DONOR_MATCH, DONOR_VALUE);
        Map<String, Map<String, Double>> shuffled = byBlock(model, permuted, task);
        List<Double> drops = new ArrayList<>();
        unpermuted.forEach((block, metrics) -> {
          Double before = metrics.get(metric);
          Double after = shuffled.getOrDefault(block, Map.of()).get(metric);
          if (before != null && after != null) {
            drops.add(Gate.improvement(task, metric, before, after));
          }
        });
        out.put(feature.name(), Backtest.summarize(drops.stream().mapToDouble(Double::doubleValue).toArray()));
      }
      return out;
    } finally {
      blocks.unpersist();
    }
  }

  /** Every metric of {@code model} on each block of {@code rows}, by block. Cost: one scoring pass. */
  private static Map<String, Map<String, Double>> byBlock(PipelineModel model, Dataset<Row> rows, Task task) {
    Map<String, Map<String, Double>> out = new java.util.TreeMap<>();
    Metrics.compute(task, model.transform(rows), ModelFactory.score(model), BLOCK).forEach((block, evaluated) -> out.put(block, evaluated.metrics()));
    return out;
  }
}
