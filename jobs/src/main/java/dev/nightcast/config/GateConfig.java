package dev.nightcast.config;

/** Promotion gate: an absolute floor on the test metric, and the baseline to beat. */
public record GateConfig(double minTestAuc, boolean mustBeatBaseline) {
  public GateConfig {
    Check.that(minTestAuc >= 0 && minTestAuc <= 1, "'min_test_auc' must be within 0..1 (got " + minTestAuc + ")");
  }
}
