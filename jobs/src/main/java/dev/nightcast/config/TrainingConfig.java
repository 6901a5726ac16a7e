package dev.nightcast.config;

/**
 * When and on what to train. The training window is the {@code windowDays} labelled days before the
 * logical date, split by time into train / validation / test.
 */
public record TrainingConfig(
    int windowDays, double trainFraction, double validationFraction, int retrainEveryDays, long seed) {
  public TrainingConfig {
    Check.positive(windowDays, "window_days");
    Check.fraction(trainFraction, "train_fraction");
    Check.fraction(validationFraction, "validation_fraction");
    Check.that(
        trainFraction + validationFraction < 1,
        "'train_fraction' + 'validation_fraction' must leave a test window (got "
            + (trainFraction + validationFraction)
            + ")");
    Check.positive(retrainEveryDays, "retrain_every_days");
  }
}
