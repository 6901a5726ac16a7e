package dev.nightcast.stages;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nightcast.NightcastException;
import dev.nightcast.config.CandidateConfig;
import dev.nightcast.config.FeatureConfig;
import dev.nightcast.config.PipelineConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.stream.Collectors;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.RandomForestClassifier;
import org.apache.spark.ml.feature.Imputer;
import org.apache.spark.ml.feature.OneHotEncoder;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;

/**
 * Builds the MLlib pipeline of one candidate: encoders and imputation learned on the training
 * window (and so stored inside the model, never recomputed at scoring time), then the estimator.
 */
public final class ModelFactory {
  public static final String FEATURE_VECTOR = "features_vector";
  private static final String IMPUTED = "__imputed";
  private static final ObjectMapper JSON = new ObjectMapper();

  private ModelFactory() {}

  public static Pipeline pipeline(CandidateConfig candidate, PipelineConfig config, long seed) {
    List<String> categorical = config.features().stream().filter(FeatureConfig::categorical).map(FeatureConfig::name).toList();
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
    if (!categorical.isEmpty()) {
      String[] indexed = categorical.stream().map(name -> name + "__index").toArray(String[]::new);
      String[] encoded = categorical.stream().map(name -> name + "__onehot").toArray(String[]::new);
      stages.add(
          new StringIndexer()
              .setInputCols(categorical.toArray(String[]::new))
              .setOutputCols(indexed)
              .setHandleInvalid("keep")
              // alphabetical order: ties in frequency cannot reorder the encoding between runs
              .setStringOrderType("alphabetAsc"));
      stages.add(new OneHotEncoder().setInputCols(indexed).setOutputCols(encoded).setHandleInvalid("keep"));
      assembled.addAll(Arrays.asList(encoded));
    }
    stages.add(new VectorAssembler().setInputCols(assembled.toArray(String[]::new)).setOutputCol(FEATURE_VECTOR));
    stages.add(estimator(candidate, seed));
    return new Pipeline().setStages(stages.toArray(PipelineStage[]::new));
  }

  private static PipelineStage estimator(CandidateConfig candidate, long seed) {
    Params estimator =
        switch (candidate.algorithm()) {
          case "logistic_regression" -> new LogisticRegression();
          case "gbt_classifier" -> new GBTClassifier().setSeed(seed);
          case "random_forest_classifier" -> new RandomForestClassifier().setSeed(seed);
          default -> throw new IllegalStateException("unreachable: algorithm validated by CandidateConfig");
        };
    estimator.set(estimator.getParam("labelCol"), Features.LABEL);
    estimator.set(estimator.getParam("featuresCol"), FEATURE_VECTOR);
    for (Map.Entry<String, Object> param : candidate.params().entrySet()) {
      set(estimator, candidate, param.getKey(), param.getValue());
    }
    return (PipelineStage) estimator;
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
