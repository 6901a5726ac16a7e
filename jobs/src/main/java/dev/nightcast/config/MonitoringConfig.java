package dev.nightcast.config;

/**
 * Drift settings: numeric features are binned at {@code psiBins} reference quantiles, categorical
 * ones keep their {@code topCategories} most frequent values; PSI above the threshold is drift.
 */
public record MonitoringConfig(int psiBins, int topCategories, double psiThreshold) {
  public MonitoringConfig {
    Check.that(psiBins >= 2 && psiBins <= 100, "'psi_bins' must be within 2..100 (got " + psiBins + ")");
    Check.that(topCategories >= 1 && topCategories <= 200, "'top_categories' must be within 1..200 (got " + topCategories + ")");
    Check.that(psiThreshold > 0, "'psi_threshold' must be positive (got " + psiThreshold + ")");
  }
}
