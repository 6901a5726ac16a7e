package dev.nightcast.training;

import dev.nightcast.config.GateConfig;
import dev.nightcast.config.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The promotion gate as a pure decision over metrics already computed: no Spark, no I/O. Absolute
 * floors apply to the pick's backtest mean (to the test window when the backtest is off); the
 * champion checks read the paired interval of the pick's difference to the champion on the same
 * test rows and fail only when the whole interval is worse than allowed, i.e. when the pick is shown
 * worse, not when one short window happens to be hard. Every check adds one reason ("PASS ..." or
 * "FAIL ..."), so the registry records why a candidate was promoted or rejected.
 */
public final class Gate {
  private Gate() {}

  /** Test-window metrics of one model, overall and per slice. */
  public record Evaluation(Map<String, Double> metrics, Map<String, Map<String, Double>> slices) {}

  /**
   * The pick's improvement over the champion in the primary metric (positive: the pick is better;
   * direction-aware, so for RMSE the champion's value minus the pick's) on the full rows, and its
   * 95% paired interval by {@code method} over those {@code rows} ({@link PairedComparison}).
   */
  public record Interval(double estimate, double lower, double upper, String method, long rows) {}

  /** Paired intervals over the test window and per gated slice (a slice where the metric is undefined has none). */
  public record Paired(Interval overall, Map<String, Interval> slices) {}

  /** The current champion, scored on the candidate's test rows, and the pick's paired difference to it. */
  public record ChampionEvaluation(int version, Evaluation evaluation, Paired paired) {}

  /**
   * @param passed every check held (always true when the gate is disabled)
   * @param promote the pick becomes champion: passed, or the gate is in dry_run
   */
  public record Decision(GateConfig.Mode mode, boolean passed, boolean promote, List<String> reasons) {
    /** One line for logs and the registry's {@code reason} column. */
    public String summary() {
      List<String> failed = reasons.stream().filter(r -> r.startsWith("FAIL")).toList();
      String verdict =
          switch (mode) {
            case DISABLED -> "promoted: gate disabled";
            case DRY_RUN -> passed ? "promoted: gate passed (dry_run)" : "promoted despite a failed gate (dry_run): " + String.join("; ", failed);
            case ENABLED -> passed ? "promoted: gate passed" : "rejected: " + String.join("; ", failed);
          };
      return verdict;
    }

    /** The registry's decision value: promoted, promoted_dry_run (would have been rejected) or rejected. */
    public String label() {
      return !promote ? "rejected" : passed ? "promoted" : "promoted_dry_run";
    }
  }

  public static Decision decide(
      GateConfig gate,
      Task task,
      String pickName,
      boolean pickIsBaseline,
      Evaluation pick,
      Map<String, Backtest.Summary> backtest,
      Evaluation baseline,
      Optional<ChampionEvaluation> champion) {
    if (gate.mode() == GateConfig.Mode.DISABLED) {
      return new Decision(gate.mode(), true, true, List.of("PASS gate disabled: no checks run"));
    }
    List<String> reasons = new ArrayList<>();
    String primary = task.primaryMetric();
    for (Map.Entry<String, Double> threshold : gate.thresholds().entrySet()) {
      String metric = threshold.getKey();
      if (backtest.isEmpty()) {
        reasons.add(bound(task, "test", metric, pick.metrics().get(metric), threshold.getValue()));
      } else {
        Backtest.Summary summary = backtest.get(metric);
        reasons.add(
            bound(task, "backtest mean", metric, summary.mean(), threshold.getValue())
                + String.format(" (%d folds, 95%% t interval %s; test window %s)", summary.folds(), range(summary.lower(), summary.upper()),
                    fmt(pick.metrics().get(metric))));
      }
    }
    if (gate.mustBeatBaseline()) {
      if (pickIsBaseline) {
        reasons.add("PASS must beat the baseline: the pick " + pickName + " is the baseline itself");
      } else {
        Double mine = pick.metrics().get(primary);
        Double theirs = baseline.metrics().get(primary);
        boolean better = mine != null && (theirs == null || improvement(task, primary, mine, theirs) > 0);
        reasons.add(
            (better ? "PASS" : "FAIL") + String.format(" test %s %s vs baseline %s: must be better", primary, fmt(mine), fmt(theirs)));
      }
    }
    if (champion.isEmpty()) {
      reasons.add("PASS first model: no champion yet, change thresholds vs the champion do not apply");
    } else {
      ChampionEvaluation current = champion.get();
      reasons.add(
          change(task, primary, "test", pick.metrics().get(primary), current.evaluation().metrics().get(primary), current.paired().overall(),
              current.version(), gate.maxRegression(), gate.maxRelativeRegression()));
    }
    if (gate.slices() != null) {
      GateConfig.SliceGate slices = gate.slices();
      if (pick.slices().isEmpty()) {
        reasons.add("FAIL slices by " + slices.column() + ": no slice has " + slices.minRows() + " test rows");
      }
      for (Map.Entry<String, Map<String, Double>> slice : pick.slices().entrySet()) {
        String where = "slice " + slices.column() + "=" + slice.getKey();
        for (Map.Entry<String, Double> threshold : slices.thresholds().entrySet()) {
          reasons.add(bound(task, where, threshold.getKey(), slice.getValue().get(threshold.getKey()), threshold.getValue()));
        }
        if (champion.isPresent() && slices.maxRegression() != null) {
          Map<String, Double> theirs = champion.get().evaluation().slices().getOrDefault(slice.getKey(), Map.of());
          reasons.add(
              change(task, primary, where, slice.getValue().get(primary), theirs.get(primary),
                  champion.get().paired().slices().get(slice.getKey()), champion.get().version(), slices.maxRegression(), null));
        }
      }
    }
    boolean passed = reasons.stream().noneMatch(r -> r.startsWith("FAIL"));
    return new Decision(gate.mode(), passed, passed || gate.mode() == GateConfig.Mode.DRY_RUN, List.copyOf(reasons));
  }

  /** Direction-aware: positive when {@code value} is better than {@code reference}. */
  static double improvement(Task task, String metric, double value, double reference) {
    return task.higherIsBetter(metric) ? value - reference : reference - value;
  }

  private static String bound(Task task, String where, String metric, Double value, double limit) {
    boolean higher = task.higherIsBetter(metric);
    boolean ok = value != null && (higher ? value >= limit : value <= limit);
    return (ok ? "PASS " : "FAIL ") + where + " " + metric + " " + fmt(value) + (higher ? " >= " : " <= ") + fmt(limit)
        + (value == null ? " (undefined on these rows)" : "");
  }

  /**
   * The change threshold vs the champion: the candidate may be worse by at most {@code maxAbsolute}
   * and at most {@code maxRelative} times the champion's value (each null one does not bound);
   * with both null it must not be worse at all. "Worse" is the least regression the paired interval
   * allows (minus its upper bound): the check fails only when the whole interval lies beyond the
   * allowance.
   */
  private static String change(
      Task task, String metric, String where, Double mine, Double theirs, Interval paired, int championVersion, Double maxAbsolute,
      Double maxRelative) {
    String head = where + " " + metric + " " + fmt(mine) + " vs champion v" + championVersion + " " + fmt(theirs);
    if (theirs == null) {
      return "PASS " + head + ": the champion's value is undefined, nothing to compare";
    }
    if (mine == null || paired == null) {
      return "FAIL " + head + ": undefined for the candidate";
    }
    head += String.format(": paired difference %+.4f, 95%% %s interval [%+.4f, %+.4f] over %d rows", paired.estimate(), paired.method(),
        paired.lower(), paired.upper(), paired.rows());
    double regression = -paired.upper();
    boolean ok =
        maxAbsolute == null && maxRelative == null
            ? regression <= 0
            : (maxAbsolute == null || regression <= maxAbsolute) && (maxRelative == null || regression <= maxRelative * Math.abs(theirs));
    String allowed =
        maxAbsolute == null && maxRelative == null
            ? "none"
            : (maxAbsolute == null ? "" : fmt(maxAbsolute) + " absolute") + (maxAbsolute != null && maxRelative != null ? ", " : "")
                + (maxRelative == null ? "" : String.format("%.1f%% relative", maxRelative * 100));
    return (ok ? "PASS " : "FAIL ") + head + String.format("; worse by at least %.4f (allowed: %s)", Math.max(regression, 0), allowed);
  }

  private static String range(Double lower, Double upper) {
    return lower == null ? "n/a (one fold)" : "[" + fmt(lower) + ", " + fmt(upper) + "]";
  }

  private static String fmt(Double value) {
    return value == null ? "n/a" : String.format("%.4f", value);
  }
}
