package dev.nightcast.config;

/**
 * When and on what to train. The training window is the {@code windowDays} labelled days before the
 * logical date, split by time into train / validation / test.
 *
 * @param task optional in YAML, {@code binary_classification} when absent
 * @param parallelism how many grid points fit at the same time; optional, 1 when absent (each fit
 *     already uses every core of a 2-core machine, so more mostly adds memory pressure)
 */
public record TrainingConfig(
    Task task,
    int windowDays,
    double trainFraction,
    double validationFraction,
    int retrainEveryDays,
    long seed,
    Integer parallelism) {
  public TrainingConfig {
    task = task == null ? Task.BINARY_CLASSIFICATION : task;
    Check.positive(windowDays, "window_days");
    Check.fraction(trainFraction, "train_fraction");
    Check.fraction(validationFraction, "validation_fraction");
    Check.that(
        trainFraction + validationFraction < 1,
        "'train_fraction' + 'validation_fraction' must leave a test window (got "
            + (trainFraction + validationFraction)
            + ")");
    Check.positive(retrainEveryDays, "retrain_every_days");
    parallelism = parallelism == null ? 1 : parallelism;
    Check.that(parallelism >= 1 && parallelism <= 8, "'parallelism' must be within 1..8 (got " + parallelism + ")");
  }
}
