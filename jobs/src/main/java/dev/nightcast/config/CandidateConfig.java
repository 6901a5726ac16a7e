package dev.nightcast.config;

import java.util.ArrayList;
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
          !params.containsKey(axis.getKey()), "'" + axis.getKey() + "' is in both 'params' and 'grid'; keep it in one");
      axes.put(axis.getKey(), List.copyOf(axis.getValue()));
    }
    grid = Map.copyOf(axes);
    baseline = Boolean.TRUE.equals(baseline);
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
