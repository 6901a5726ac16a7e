package dev.nightcast.training;

import static org.apache.spark.ml.functions.vector_to_array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.exp;
import static org.apache.spark.sql.functions.lit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nightcast.NightcastException;
import dev.nightcast.config.CandidateConfig;
import dev.nightcast.config.FeatureConfig;
import dev.nightcast.config.PipelineConfig;
import dev.nightcast.features.Features;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.classification.LinearSVCModel;
import org.apache.spark.ml.classification.ProbabilisticClassificationModel;
import org.apache.spark.ml.feature.Imputer;
import org.apache.spark.ml.feature.ImputerModel;
import org.apache.spark.ml.feature.OneHotEncoder;
import org.apache.spark.ml.feature.QuantileDiscretizer;
import org.apache.spark.ml.feature.StringIndexerModel;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;

/**
 * Builds the MLlib pipeline of a model: encoders and imputation learned on the training window (and
 * so stored inside the model, never recomputed at scoring time), then the candidate's estimator.
 *
 * <p>Two layouts of the same features: linear models read one-hot categoricals and the numeric
 * values; tree models read the category index, declared categorical in the vector's metadata, and
 * each numeric feature's quantile bucket. A tree over one-hot columns bins every column of every
 * row (thousands for routes): the index keeps trees at one column per feature, and MLlib splits an
 * index by sorting categories on their label mean (binary and regression).
 */
public final class ModelFactory {
  public static final String FEATURE_VECTOR = "features_vector";
  static final String FEATURE_INDEXED = "features_indexed";
  private static final String INDEXED = "__index";
  private static final String IMPUTED = "__imputed";
  private static final String BUCKET = "__bucket";
  private static final String MAX_BINS = "maxBins";
  private static final ObjectMapper JSON = new ObjectMapper();

  private ModelFactory() {}

  /**
   * The candidate-independent part: imputation and encoding, fitted once per training on the train
   * window and shared by every candidate and grid point (so they all see identical inputs).
   */
  public static Pipeline preprocessing(PipelineConfig config) {
    List<FeatureConfig> categorical = config.features().stream().filter(FeatureConfig::categorical).toList();
    List<FeatureConfig> numeric = config.features().stream().filter(f -> !f.categorical()).toList();
    List<PipelineStage> stages = new ArrayList<>();
    List<String> assembled = new ArrayList<>();
    // one Imputer per learned strategy; constants were applied by Features.build already
    for (String strategy : List.of("mean", "median", "most_frequent")) {
      List<String> inputs = numeric.stream().filter(f -> strategy.equals(f.impute())).map(FeatureConfig::name).toList();
      if (!inputs.isEmpty()) {
        stages.add(
            new Imputer()
                .setInputCols(inputs.toArray(String[]::new))
                .setOutputCols(inputs.stream().map(name -> name + IMPUTED).toArray(String[]::new))
                .setStrategy(strategy.equals("most_frequent") ? "mode" : strategy));
      }
    }
    // numeric in declaration order, then categorical: a stable vector layout for the recorded names
    numeric.forEach(f -> assembled.add(f.learnedImputation() ? f.name() + IMPUTED : f.name()));
    List<String> indexedLayout = new ArrayList<>();
    if (!numeric.isEmpty()) {
      // Trees read each numeric feature as quantile buckets of the train window, as many as the
      // candidates' maxBins. MLlib's maxBins must also cover the largest categorical (thousands of
      // routes in the sample), which alone would give every numeric feature that many candidate
      // splits: fine-grained splits over-fit the train window (bench/README.md has the test AUCs).
      String[] buckets = assembled.stream().map(name -> name + BUCKET).toArray(String[]::new);
      stages.add(
          new QuantileDiscretizer()
              .setInputCols(assembled.toArray(String[]::new))
              .setOutputCols(buckets)
              .setNumBuckets(numericBins(config))
              .setHandleInvalid("keep"));
      indexedLayout.addAll(Arrays.asList(buckets));
    }
    if (!categorical.isEmpty()) {
      String[] names = categorical.stream().map(FeatureConfig::name).toArray(String[]::new);
      String[] indexed = Arrays.stream(names).map(name -> name + INDEXED).toArray(String[]::new);
      String[] encoded = Arrays.stream(names).map(name -> name + "__onehot").toArray(String[]::new);
      // alphabetical indexes (ties in frequency cannot reorder the encoding between runs), capped per feature
      int[] caps = categorical.stream().mapToInt(f -> f.maxCategories() == null ? Integer.MAX_VALUE : f.maxCategories()).toArray();
      stages.add(new CategoryIndexer(names, indexed, caps));
      stages.add(new OneHotEncoder().setInputCols(indexed).setOutputCols(encoded).setHandleInvalid("keep"));
      assembled.addAll(Arrays.asList(encoded));
      indexedLayout.addAll(Arrays.asList(indexed));
    }
    stages.add(new VectorAssembler().setInputCols(assembled.toArray(String[]::new)).setOutputCol(FEATURE_VECTOR));
    stages.add(new VectorAssembler().setInputCols(indexedLayout.toArray(String[]::new)).setOutputCol(FEATURE_INDEXED));
    return new Pipeline().setStages(stages.toArray(PipelineStage[]::new));
  }

  /** The largest maxBins any candidate sets or searches, else MLlib's default (32). */
  static int numericBins(PipelineConfig config) {
    return config.candidates().stream()
        .flatMap(c -> Stream.concat(Stream.ofNullable(c.params().get(MAX_BINS)), c.grid().getOrDefault(MAX_BINS, List.of()).stream()))
        .mapToInt(bins -> ((Number) bins).intValue())
        .max()
        .orElse(new GBTClassifier().getMaxBins());
  }

  /**
   * The candidate's MLlib estimator with one grid point's parameters; estimators with a seed get
   * {@code seed}, so the same inputs give the same model. Trees read the indexed layout and get
   * maxBins of at least the largest category count of {@code preprocessing} (MLlib's requirement).
   */
  public static Estimator<?> estimator(CandidateConfig candidate, Map<String, Object> params, long seed, PipelineModel preprocessing) {
    Params estimator = candidate.newEstimator();
    boolean tree = estimator.hasParam(MAX_BINS);
    estimator.set(estimator.getParam("labelCol"), Features.LABEL);
    estimator.set(estimator.getParam("featuresCol"), tree ? FEATURE_INDEXED : FEATURE_VECTOR);
    if (estimator.hasParam("seed")) {
      estimator.set(estimator.getParam("seed"), seed);
    }
    for (Map.Entry<String, Object> param : params.entrySet()) {
      set(estimator, candidate, param.getKey(), param.getValue());
    }
    if (tree) {
      Param<Object> maxBins = estimator.getParam(MAX_BINS);
      int configured = (Integer) estimator.getOrDefault(maxBins);
      estimator.set(maxBins, Math.max(configured, maxCategories(preprocessing)));
    }
    return (Estimator<?>) estimator;
  }

  /** The most values one indexed categorical takes, counting the bucket for unseen categories. */
  private static int maxCategories(PipelineModel preprocessing) {
    int most = 0;
    for (Transformer stage : preprocessing.stages()) {
      if (stage instanceof StringIndexerModel indexer) {
        for (String[] labels : indexer.labelsArray()) {
          most = Math.max(most, labels.length + 1);
        }
      }
    }
    return most;
  }

  /**
   * The served score of a fitted model's output (a model or a pipeline, by its final stage): the positive-class
   * probability for probabilistic classifiers; for LinearSVC, which has no probability, the logistic
   * function of its margin (monotone in the margin, so ranking metrics such as AUC are exactly
   * the SVM's, but not a calibrated probability); the predicted value for regressors.
   */
  public static Column score(Transformer model) {
    if (model instanceof PipelineModel pipeline) {
      return score(pipeline.stages()[pipeline.stages().length - 1]);
    }
    if (model instanceof LinearSVCModel) {
      Column margin = vector_to_array(col("rawPrediction"), "float64").getItem(1);
      return lit(1.0).divide(lit(1.0).plus(exp(margin.multiply(-1))));
    }
    if (model instanceof ProbabilisticClassificationModel<?, ?>) {
      return vector_to_array(col("probability"), "float64").getItem(1);
    }
    return col("prediction").cast("double");
  }

  /** The medians the fitted Imputer learned on the train window, by input column (empty without numeric features). */
  public static Map<String, Double> imputation(PipelineModel model) {
    Map<String, Double> values = new TreeMap<>();
    for (Transformer stage : model.stages()) {
      if (stage instanceof PipelineModel nested) {
        values.putAll(imputation(nested));
      } else if (stage instanceof ImputerModel imputer) {
        Row surrogates = imputer.surrogateDF().head();
        for (String column : imputer.getInputCols()) {
          values.put(column, surrogates.isNullAt(surrogates.fieldIndex(column)) ? null : ((Number) surrogates.getAs(column)).doubleValue());
        }
      }
    }
    return values;
  }

  @SuppressWarnings("unchecked")
  private static void set(Params estimator, CandidateConfig candidate, String name, Object value) {
    Param<Object> param;
    try {
      param = (Param<Object>) estimator.getParam(name);
    } catch (NoSuchElementException e) {
      String known = Arrays.stream(estimator.params()).map(Param::name).sorted().collect(Collectors.joining(", "));
      throw NightcastException.badConfig(
          "Cannot configure candidate '" + candidate.name() + "': " + candidate.algorithm() + " has no parameter '" + name
              + "' (known: " + known + ")");
    }
    try {
      estimator.set(param, param.jsonDecode(JSON.writeValueAsString(value)));
    } catch (JsonProcessingException | RuntimeException e) {
      throw NightcastException.badConfig(
          "Cannot configure candidate '" + candidate.name() + "': parameter '" + name + "' rejects value " + value + " ("
              + e.getMessage() + ")");
    }
  }
}
