package dev.nightcast.monitoring;

import dev.nightcast.config.DriftConfig;
import dev.nightcast.monitoring.DriftDailyTable.DriftMetric;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pure interpretation of drift states into {@code drift_daily} rows: per slice, column and
 * comparison, every metric with its threshold, severity and verdict, plus a dataset-level
 * {@code drift_share} row (column '*') per slice and comparison.
 *
 * <p>Severity from the ratio r = |value| / threshold (threshold / value for p-values): none below
 * 0.5, low from 0.5, medium from 1 (drifted), high from 2. P-values decide only when both samples
 * have at most {@code p_value_max_rows} values; otherwise they are reported with severity none.
 */
public final class DriftReport {
  public static final String BASELINE = "BASELINE";
  public static final String CONSECUTIVE = "CONSECUTIVE";
  public static final String ALL_COLUMNS = "*";
  public static final String DRIFT_SHARE = "drift_share";

  private DriftReport() {}

  /** One metric value with its verdict. */
  public record Verdict(String metric, double value, Double threshold, String severity, boolean drifted) {}

  /**
   * Every defined metric of one column: numeric columns get psi, ks, ks_p_value, wasserstein
   * (normalised by the reference standard deviation), js, missing_ratio_delta and mean_delta (in
   * reference standard deviations); categorical ones psi, chi2, chi2_p_value, js, linf and
   * missing_ratio_delta. Metrics undefined on the data (no values on a side, a constant reference
   * for the normalised ones) are left out. PSI and JS use {@code psiBins} groups of the fine bins.
   */
  public static List<Verdict> verdicts(
      Binning.Spec spec, Binning.ColumnState reference, Binning.ColumnState current, int psiBins, DriftConfig config) {
    Map<String, Double> values = new LinkedHashMap<>();
    long[] ref = reference.values(spec);
    long[] cur = current.values(spec);
    long refRows = reference.valueRows(spec);
    long curRows = current.valueRows(spec);
    if (spec.categorical()) {
      values.put("psi", DriftStatistics.psi(ref, cur, DriftStatistics.EPSILON));
      DriftStatistics.ChiSquare chi = DriftStatistics.chiSquare(ref, cur, DriftStatistics.EPSILON);
      values.put("chi2", chi.statistic());
      values.put("chi2_p_value", chi.pValue());
      values.put("js", DriftStatistics.jsDistance(ref, cur));
      values.put("linf", DriftStatistics.lInfinity(ref, cur));
    } else {
      long[] refGroups = DriftStatistics.regroup(ref, ref, psiBins);
      long[] curGroups = DriftStatistics.regroup(cur, ref, psiBins);
      double ks = DriftStatistics.ksStatistic(ref, cur);
      double std = refRows == 0 ? Double.NaN : reference.std(spec);
      values.put("psi", DriftStatistics.psi(refGroups, curGroups, DriftStatistics.EPSILON));
      values.put("ks", ks);
      values.put("ks_p_value", DriftStatistics.ksPValue(ks, refRows, curRows));
      values.put("wasserstein", std > 0 ? wasserstein(spec, reference, current) / std : Double.NaN);
      values.put("js", DriftStatistics.jsDistance(refGroups, curGroups));
    }
    long refTotal = reference.rows();
    long curTotal = current.rows();
    values.put(
        "missing_ratio_delta",
        refTotal == 0 || curTotal == 0 ? Double.NaN : (double) current.nulls(spec) / curTotal - (double) reference.nulls(spec) / refTotal);
    if (!spec.categorical()) {
      double std = refRows == 0 ? Double.NaN : reference.std(spec);
      values.put("mean_delta", std > 0 && curRows > 0 ? (current.mean(spec) - reference.mean(spec)) / std : Double.NaN);
    }
    boolean pValuesDecide = Math.max(refRows, curRows) <= config.pValueMaxRows();
    List<Verdict> out = new ArrayList<>();
    for (Map.Entry<String, Double> metric : values.entrySet()) {
      double value = metric.getValue();
      if (!Double.isFinite(value)) {
        continue;
      }
      if (metric.getKey().equals("chi2")) {
        out.add(new Verdict("chi2", value, null, "none", false));
        continue;
      }
      double threshold = config.threshold(spec.column(), metric.getKey());
      boolean pValue = DriftConfig.isPValue(metric.getKey());
      String severity = pValue && !pValuesDecide ? "none" : severity(value, threshold, pValue);
      out.add(new Verdict(metric.getKey(), value, threshold, severity, severity.equals("medium") || severity.equals("high")));
    }
    return out;
  }

  /**
   * The Wasserstein distance of a numeric column's values, in the column's units, from the moments
   * of each value slot on each side (exact where a slot holds one value).
   */
  public static double wasserstein(Binning.Spec spec, Binning.ColumnState reference, Binning.ColumnState current) {
    return DriftStatistics.wasserstein(
        reference.values(spec), reference.slotMeans(spec), reference.slotStds(spec),
        current.values(spec), current.slotMeans(spec), current.slotStds(spec));
  }

  /** none / low / medium / high from r = {@link #ratio}. */
  public static String severity(double value, double threshold, boolean pValue) {
    double ratio = ratio(value, threshold, pValue);
    return ratio >= 2 ? "high" : ratio >= 1 ? "medium" : ratio >= 0.5 ? "low" : "none";
  }

  /**
   * Rows of one slice and comparison: each column's verdicts, then the share of columns with at
   * least one drifted metric (the dataset drifts when the share reaches {@code drift_share}).
   * Columns without rows today, without values on the reference side, or excluded by config, are
   * left out of both.
   */
  public static List<DriftMetric> rows(
      LocalDate ds,
      int modelVersion,
      Slices.Slice slice,
      String comparison,
      List<Binning.Spec> specs,
      Map<String, Binning.ColumnState> reference,
      Map<String, Binning.ColumnState> current,
      int psiBins,
      DriftConfig config) {
    List<DriftMetric> out = new ArrayList<>();
    int columns = 0;
    int drifted = 0;
    for (Binning.Spec spec : specs) {
      Binning.ColumnState ref = reference.get(spec.column());
      Binning.ColumnState cur = current.get(spec.column());
      if (ref == null || cur == null || ref.valueRows(spec) == 0 || cur.rows() == 0 || config.exclude().contains(spec.column())) {
        continue;
      }
      List<Verdict> verdicts = verdicts(spec, ref, cur, psiBins, config);
      columns++;
      if (verdicts.stream().anyMatch(Verdict::drifted)) {
        drifted++;
      }
      for (Verdict verdict : verdicts) {
        out.add(row(ds, modelVersion, slice, spec.column(), comparison, verdict));
      }
    }
    if (columns > 0) {
      double share = (double) drifted / columns;
      boolean datasetDrifted = share >= config.driftShare();
      out.add(
          row(ds, modelVersion, slice, ALL_COLUMNS, comparison,
              new Verdict(DRIFT_SHARE, share, config.driftShare(), severity(share, config.driftShare(), false), datasetDrifted)));
    }
    return out;
  }

  /** How far past its threshold a value is: |value| / threshold (threshold / value for p-values). */
  public static double ratio(double value, double threshold, boolean pValue) {
    return pValue ? (value <= 0 ? Double.POSITIVE_INFINITY : threshold / value) : Math.abs(value) / threshold;
  }

  private static DriftMetric row(LocalDate ds, int modelVersion, Slices.Slice slice, String column, String comparison, Verdict verdict) {
    return new DriftMetric(
        ds, modelVersion, slice.key(), slice.value(), column, comparison, verdict.metric(), verdict.value(), verdict.threshold(),
        verdict.severity(), verdict.drifted());
  }
}
