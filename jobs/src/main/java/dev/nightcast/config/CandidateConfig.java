package dev.nightcast.config;

import java.util.Map;
import java.util.Set;

/**
 * One model family to train; exactly one candidate is the baseline every other must beat.
 *
 * @param baseline optional in YAML, false when absent
 */
public record CandidateConfig(String name, String algorithm, Map<String, Object> params, Boolean baseline) {
  public static final Set<String> ALGORITHMS =
      Set.of("logistic_regression", "gbt_classifier", "random_forest_classifier");

  public CandidateConfig {
    Check.identifier(name, "name");
    Check.present(algorithm, "algorithm");
    Check.that(
        ALGORITHMS.contains(algorithm), "'algorithm' must be one of " + ALGORITHMS + " (got '" + algorithm + "')");
    params = params == null ? Map.of() : Map.copyOf(params);
    baseline = Boolean.TRUE.equals(baseline);
  }

  public boolean isBaseline() {
    return baseline;
  }
}
