package dev.nightcast.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.spark.ml.classification.DecisionTreeClassifier;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.classification.LinearSVC;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.RandomForestClassifier;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.regression.DecisionTreeRegressor;
import org.apache.spark.ml.regression.GBTRegressor;
import org.apache.spark.ml.regression.LinearRegression;
import org.apache.spark.ml.regression.RandomForestRegressor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One model family to train; exactly one candidate is the baseline every other must beat.
 * {@code params} are fixed MLlib parameters (by their MLlib names, e.g. {@code maxIter});
 * {@code grid} lists values to search per parameter: every combination is fitted on the train
 * window and the best on the validation window is the candidate's tuned model.
 *
 * @param baseline optional in YAML, false when absent
 * @param grid optional in YAML; each listed parameter needs at least one value
 */
public record CandidateConfig(
    String name, String algorithm, Map<String, Object> params, Map<String, List<Object>> grid, Boolean baseline) {
  /** Every supported MLlib estimator by its YAML name, with the task it serves. */
  public static final Map<String, Task> ALGORITHMS =
      Map.of(
          "logistic_regression", Task.BINARY_CLASSIFICATION,
          "linear_svc", Task.BINARY_CLASSIFICATION,
          "decision_tree_classifier", Task.BINARY_CLASSIFICATION,
          "random_forest_classifier", Task.BINARY_CLASSIFICATION,
          "gbt_classifier", Task.BINARY_CLASSIFICATION,
          "linear_regression", Task.REGRESSION,
          "decision_tree_regressor", Task.REGRESSION,
          "random_forest_regressor", Task.REGRESSION,
          "gbt_regressor", Task.REGRESSION);

  /** A fresh MLlib estimator per algorithm: parameters are checked against it while loading. */
  private static final Map<String, Supplier<Params>> ESTIMATORS =
      Map.of(
          "logistic_regression", LogisticRegression::new,
          "linear_svc", LinearSVC::new,
          "decision_tree_classifier", DecisionTreeClassifier::new,
          "random_forest_classifier", RandomForestClassifier::new,
          "gbt_classifier", GBTClassifier::new,
          "linear_regression", LinearRegression::new,
          "decision_tree_regressor", DecisionTreeRegressor::new,
          "random_forest_regressor", RandomForestRegressor::new,
          "gbt_regressor", GBTRegressor::new);
  private static final ObjectMapper JSON = new ObjectMapper();

  public CandidateConfig {
    Check.identifier(name, "name");
    Check.present(algorithm, "algorithm");
    Check.that(
        ALGORITHMS.containsKey(algorithm),
        "'algorithm' must be one of " + new TreeMap<>(ALGORITHMS).keySet() + " (got '" + algorithm + "')");
    params = params == null ? Map.of() : Map.copyOf(params);
    Map<String, List<Object>> axes = new TreeMap<>();
    for (Map.Entry<String, List<Object>> axis : (grid == null ? Map.<String, List<Object>>of() : grid).entrySet()) {
      Check.that(
          axis.getValue() != null && !axis.getValue().isEmpty() && axis.getValue().stream().noneMatch(java.util.Objects::isNull),
          "'grid." + axis.getKey() + "' must list at least one value, and no empty ones");
      Check.that(
          !params.containsKey(axis.getKey()), "'grid." + axis.getKey() + "' is in both 'params' and 'grid'; keep it in one");
      axes.put(axis.getKey(), List.copyOf(axis.getValue()));
    }
    grid = Map.copyOf(axes);
    // MLlib's own names and validators, so a typo or an out-of-range value fails here, not on a training night
    Params estimator = ESTIMATORS.get(algorithm).get();
    params.forEach((param, value) -> checkParam(estimator, algorithm, "params." + param, param, value));
    grid.forEach((param, values) -> values.forEach(value -> checkParam(estimator, algorithm, "grid." + param, param, value)));
    baseline = Boolean.TRUE.equals(baseline);
  }

  private static void checkParam(Params estimator, String algorithm, String key, String name, Object value) {
    Check.that(
        estimator.hasParam(name),
        "'" + key + "' names no parameter of " + algorithm + " (known: "
            + Arrays.stream(estimator.params()).map(Param::name).sorted().collect(Collectors.joining(", ")) + ")");
    @SuppressWarnings("unchecked")
    Param<Object> param = (Param<Object>) estimator.getParam(name);
    try {
      estimator.set(param, param.jsonDecode(JSON.writeValueAsString(value)));
    } catch (Exception e) { // json4s' MappingException is a checked one, which Scala does not declare
      throw new IllegalArgumentException("'" + key + "' has an invalid value " + value + " for " + algorithm + " (" + e.getMessage().lines().findFirst().orElse("") + ")");
    }
  }

  /** A fresh MLlib estimator of the candidate's algorithm, unset but for MLlib's defaults. */
  public Params newEstimator() {
    return ESTIMATORS.get(algorithm).get();
  }

  public boolean isBaseline() {
    return baseline;
  }

  public Task task() {
    return ALGORITHMS.get(algorithm);
  }

  /**
   * The grid's combinations merged over {@code params}, in a deterministic order (parameters by
   * name, values as listed); one combination (the fixed params) when there is no grid.
   */
  public List<Map<String, Object>> gridPoints() {
    List<Map<String, Object>> points = new ArrayList<>();
    points.add(new TreeMap<>(params));
    for (Map.Entry<String, List<Object>> axis : new TreeMap<>(grid).entrySet()) {
      List<Map<String, Object>> next = new ArrayList<>();
      for (Map<String, Object> point : points) {
        for (Object value : axis.getValue()) {
          Map<String, Object> extended = new TreeMap<>(point);
          extended.put(axis.getKey(), value);
          next.add(extended);
        }
      }
      points = next;
    }
    return points.stream().map(p -> (Map<String, Object>) new LinkedHashMap<>(p)).toList();
  }
}
