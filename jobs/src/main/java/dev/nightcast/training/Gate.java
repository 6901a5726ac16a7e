package dev.nightcast.training;

import dev.nightcast.config.GateConfig;
import dev.nightcast.config.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The promotion gate as a pure decision over metrics already computed on the test window: no
 * Spark, no I/O. Every check adds one reason ("PASS ..." or "FAIL ..."), so the registry records why
 * a candidate was promoted or rejected.
 */
public final class Gate {
  private Gate() {}

  /** Test-window metrics of one model, overall and per slice. */
  public record Evaluation(Map<String, Double> metrics, Map<String, Map<String, Double>> slices) {}

  /** The current champion, scored on the candidate's test window. */
  public record ChampionEvaluation(int version, Evaluation evaluation) {}

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
      Evaluation baseline,
      Optional<ChampionEvaluation> champion) {
    if (gate.mode() == GateConfig.Mode.DISABLED) {
      return new Decision(gate.mode(), true, true, List.of("PASS gate disabled: no checks run"));
    }
    List<String> reasons = new ArrayList<>();
    String primary = task.primaryMetric();
    for (Map.Entry<String, Double> threshold : gate.thresholds().entrySet()) {
      reasons.add(bound(task, "test", threshold.getKey(), pick.metrics().get(threshold.getKey()), threshold.getValue()));
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
          change(task, primary, "test", pick.metrics().get(primary), current.evaluation().metrics().get(primary), current.version(),
              gate.maxRegression(), gate.maxRelativeRegression()));
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
              change(task, primary, where, slice.getValue().get(primary), theirs.get(primary), champion.get().version(),
                  slices.maxRegression(), null));
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
   * with both null it must not be worse at all.
   */
  private static String change(
      Task task, String metric, String where, Double mine, Double theirs, int championVersion, Double maxAbsolute, Double maxRelative) {
    String head = where + " " + metric + " " + fmt(mine) + " vs champion v" + championVersion + " " + fmt(theirs);
    if (theirs == null) {
      return "PASS " + head + ": the champion's value is undefined, nothing to compare";
    }
    if (mine == null) {
      return "FAIL " + head + ": undefined for the candidate";
    }
    double regression = -improvement(task, metric, mine, theirs);
    boolean ok =
        maxAbsolute == null && maxRelative == null
            ? regression <= 0
            : (maxAbsolute == null || regression <= maxAbsolute) && (maxRelative == null || regression <= maxRelative * Math.abs(theirs));
    String allowed =
        maxAbsolute == null && maxRelative == null
            ? "none"
            : (maxAbsolute == null ? "" : fmt(maxAbsolute) + " absolute") + (maxAbsolute != null && maxRelative != null ? ", " : "")
                + (maxRelative == null ? "" : String.format("%.1f%% relative", maxRelative * 100));
    return (ok ? "PASS " : "FAIL ") + head + String.format(": worse by %.4f (allowed: %s)", Math.max(regression, 0), allowed);
  }

  private static String fmt(Double value) {
    return value == null ? "n/a" : String.format("%.4f", value);
  }
}
