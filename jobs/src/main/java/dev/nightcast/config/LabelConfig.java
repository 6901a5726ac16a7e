package dev.nightcast.config;

/**
 * The training target: for binary classification {@code label = column > threshold} (e.g. delayed =
 * delay > 15 minutes), read from the source whose drops carry outcomes.
 */
public record LabelConfig(String source, String column, double threshold) {
  public LabelConfig {
    Check.identifier(source, "source");
    Check.identifier(column, "column");
  }
}
