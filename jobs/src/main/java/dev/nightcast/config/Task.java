package dev.nightcast.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What a pipeline predicts. Binary classification learns {@code label = column > threshold} and
 * serves a score in [0,1]; regression learns the raw label column and serves the predicted value.
 */
public enum Task {
  BINARY_CLASSIFICATION("auc", List.of("auc", "average_precision"), List.of()),
  REGRESSION("rmse", List.of("r2"), List.of("rmse", "mae"));

  private final String primaryMetric;
  private final List<String> higherIsBetter;
  private final List<String> lowerIsBetter;

  Task(String primaryMetric, List<String> higherIsBetter, List<String> lowerIsBetter) {
    this.primaryMetric = primaryMetric;
    this.higherIsBetter = higherIsBetter;
    this.lowerIsBetter = lowerIsBetter;
  }

  /** Every metric computed for this task (evaluated on validation, test and per slice). */
  public List<String> metrics() {
    return java.util.stream.Stream.concat(higherIsBetter.stream(), lowerIsBetter.stream()).toList();
  }

  /** Direction of a metric of this task: AUC and R² grow with quality, RMSE and MAE shrink. */
  public boolean higherIsBetter(String metric) {
    if (!metrics().contains(metric)) {
      throw new IllegalArgumentException("metric '" + metric + "' is not one of " + yaml() + "'s metrics " + metrics());
    }
    return higherIsBetter.contains(metric);
  }

  /** The metric candidates are selected on (validation) and compared on (test, vs the champion). */
  public String primaryMetric() {
    return primaryMetric;
  }

  @JsonValue
  public String yaml() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static Task fromYaml(String value) {
    return Arrays.stream(values())
        .filter(task -> task.yaml().equals(value))
        .findFirst()
        .orElseThrow(
            () -> new IllegalArgumentException(
                "'task' must be one of " + Arrays.stream(values()).map(Task::yaml).toList() + " (got '" + value + "')"));
  }

  /** The SQL expression that turns the label source column into the training label (a double). */
  public String labelExpression(LabelConfig label) {
    return this == REGRESSION
        ? "cast(`" + label.column() + "` as double)"
        : "cast(`" + label.column() + "` > " + label.threshold() + " as double)";
  }
}
