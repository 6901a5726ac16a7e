package dev.nightcast.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * The promotion gate, checked for the candidate picked on validation.
 *
 * <ul>
 *   <li>{@code thresholds}: absolute bounds per metric, in the metric's good direction (a floor
 *       for AUC or R², a ceiling for RMSE or MAE), e.g. {@code {auc: 0.60}}; on the pick's backtest
 *       mean ({@code training.backtest}), on the test window when the backtest is off.
 *   <li>{@code must_beat_baseline}: a pick other than the baseline must be strictly better than the
 *       baseline on the primary metric.
 *   <li>{@code max_regression} / {@code max_relative_regression}: how much worse than the current
 *       champion (scored on the same test rows) the pick may be shown on the primary metric, absolute
 *       and as a fraction of the champion's value: "shown" is the least regression the 95% paired
 *       interval allows (DeLong for AUC, delta method for RMSE); both must hold, an absent one does not bound, and
 *       with both absent the pick must not be shown worse at all. The first
 *       model (no champion) skips these checks, and the decision says so.
 *   <li>{@code slices}: the same absolute and champion checks per slice.
 * </ul>
 *
 * @param mode optional in YAML, {@code enabled} when absent
 * @param mustBeatBaseline optional in YAML, true when absent (a baseline exists to be beaten)
 */
public record GateConfig(
    Mode mode,
    Map<String, Double> thresholds,
    Boolean mustBeatBaseline,
    Double maxRegression,
    Double maxRelativeRegression,
    SliceGate slices) {

  /** enabled: a failed gate blocks; dry_run: the decision is recorded, the pick is promoted anyway; disabled: no checks. */
  public enum Mode {
    ENABLED, DRY_RUN, DISABLED;

    @JsonValue
    public String yaml() {
      return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static Mode fromYaml(String value) {
      return Arrays.stream(values())
          .filter(mode -> mode.yaml().equals(value))
          .findFirst()
          .orElseThrow(
              () -> new IllegalArgumentException(
                  "'mode' must be one of " + Arrays.stream(values()).map(Mode::yaml).toList() + " (got '" + value + "')"));
    }
  }

  /**
   * Per-slice checks: the {@code topN} values of {@code column} with the most test rows (each with
   * at least {@code minRows} rows) must meet {@code thresholds} and, when a champion exists, not be
   * worse than the champion's on the same slice by more than {@code maxRegression} (absent: no
   * per-slice champion check).
   */
  public record SliceGate(String column, Integer topN, Integer minRows, Map<String, Double> thresholds, Double maxRegression) {
    public SliceGate {
      Check.identifier(column, "slices.column");
      topN = topN == null ? 10 : topN;
      Check.that(topN >= 1 && topN <= 100, "'slices.top_n' must be within 1..100 (got " + topN + ")");
      minRows = minRows == null ? 100 : minRows;
      Check.that(minRows >= 1, "'slices.min_rows' must be positive (got " + minRows + ")");
      thresholds = Check.numbers(thresholds, "slices.thresholds");
      Check.that(maxRegression == null || maxRegression >= 0, "'slices.max_regression' must be >= 0 (got " + maxRegression + ")");
    }
  }

  public GateConfig {
    mode = mode == null ? Mode.ENABLED : mode;
    thresholds = Check.numbers(thresholds, "thresholds");
    mustBeatBaseline = mustBeatBaseline == null || mustBeatBaseline;
    Check.that(maxRegression == null || maxRegression >= 0, "'max_regression' must be >= 0 (got " + maxRegression + ")");
    Check.that(
        maxRelativeRegression == null || (maxRelativeRegression >= 0 && maxRelativeRegression < 1),
        "'max_relative_regression' must be within 0..1 (got " + maxRelativeRegression + ")");
  }
}
