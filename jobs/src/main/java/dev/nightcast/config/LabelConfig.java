package dev.nightcast.config;

/**
 * The training target: for binary classification {@code label = column > threshold} (e.g. delayed =
 * delay > 15 minutes), read from the source whose drops carry outcomes.
 *
 * @param threshold optional in YAML, 0 when absent: a 0/1 label column is taken as it is
 */
public record LabelConfig(String source, String column, Double threshold) {
  public LabelConfig {
    Check.identifier(source, "source");
    Check.identifier(column, "column");
    threshold = threshold == null ? 0.0 : threshold;
  }
}
