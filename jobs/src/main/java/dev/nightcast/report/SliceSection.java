package dev.nightcast.report;

import dev.nightcast.monitoring.SliceGaps;
import java.time.LocalDate;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The report's "Slices and inclusion" section: per declared slice value of the latest outcome date
 * with labels, its rows, AUC, TPR and FPR and their gaps to the whole population, flagged where
 * beyond the column's {@code max_gap}, and on how many of the window's nights it was. Pure.
 */
final class SliceSection {
  private SliceSection() {}

  static String render(List<SliceGaps.Gap> gaps) {
    if (gaps.isEmpty()) {
      return "<p class=\"empty\" id=\"slices\">No realised metrics of declared slices in this window (no monitoring.slices, or no labels"
          + " yet).</p>\n";
    }
    LocalDate latest = gaps.stream().map(SliceGaps.Gap::ds).max(Comparator.naturalOrder()).orElseThrow();
    Map<String, Set<LocalDate>> flaggedNights = new LinkedHashMap<>();
    gaps.stream().filter(SliceGaps.Gap::beyond).forEach(g -> flaggedNights.computeIfAbsent(slice(g), s -> new TreeSet<>()).add(g.ds()));
    // per model version, then slice (by column, busiest first): the gaps of one row of the table
    Map<Integer, Map<String, List<SliceGaps.Gap>>> rows =
        gaps.stream().filter(g -> g.ds().equals(latest))
            .sorted(Comparator.comparing(SliceGaps.Gap::sliceKey).thenComparing(g -> -g.rows()).thenComparing(SliceGaps.Gap::sliceValue))
            .collect(Collectors.groupingBy(SliceGaps.Gap::modelVersion, java.util.TreeMap::new,
                Collectors.groupingBy(SliceSection::slice, LinkedHashMap::new, Collectors.toList())));
    StringBuilder out = new StringBuilder("<p>Realised metrics on ").append(latest).append(" of each declared slice against the whole"
        + " population of the same model: AUC, and TPR (recall) and FPR at the decision threshold. A gap is the slice's value minus the"
        + " whole population's; one beyond its column's <code>max_gap</code> is flagged (a <code>slice_gap</code> alert), a slice with"
        + " fewer labelled rows than <code>min_rows</code> is shown but not judged. The last column counts the window's nights the slice"
        + " was flagged on.</p>\n");
    out.append("<table id=\"slices\"><tr><th>model</th><th>slice</th><th>rows</th><th>AUC</th><th>gap</th><th>TPR</th><th>gap</th>"
        + "<th>FPR</th><th>gap</th><th>beyond max_gap</th><th>nights flagged</th></tr>\n");
    rows.forEach((version, slices) -> {
      List<SliceGaps.Gap> first = slices.values().iterator().next();
      out.append("<tr><td>v").append(version).append("</td><td>whole population</td><td></td>");
      for (String metric : SliceGaps.SHOWN) {
        out.append("<td>").append(value(find(first, metric).whole())).append("</td><td></td>");
      }
      out.append("<td></td><td></td></tr>\n");
      slices.forEach((slice, metrics) -> {
        out.append("<tr><td>v").append(version).append("</td><td>").append(ReportHtml.escape(slice)).append("</td><td>")
            .append(metrics.get(0).rows()).append("</td>");
        for (String metric : SliceGaps.SHOWN) {
          SliceGaps.Gap gap = find(metrics, metric);
          out.append("<td>").append(value(gap.value())).append("</td><td").append(gap.beyond() ? " class=\"sev-medium\"" : "").append(">")
              .append(gap.gap() == null ? "" : String.format(Locale.ROOT, "%+.4f", gap.gap())).append("</td>");
        }
        String beyond = metrics.get(0).judged()
            ? metrics.stream().filter(SliceGaps.Gap::beyond)
                .map(g -> g.metric() + String.format(Locale.ROOT, " (max %.2f)", g.threshold())).collect(Collectors.joining(", "))
            : "too few rows to judge";
        out.append("<td").append(beyond.isEmpty() || !metrics.get(0).judged() ? "" : " class=\"sev-medium\"").append(">")
            .append(ReportHtml.escape(beyond)).append("</td><td>").append(flaggedNights.getOrDefault(slice, Set.of()).size())
            .append("</td></tr>\n");
      });
    });
    return out.append("</table>\n").toString();
  }

  private static String slice(SliceGaps.Gap gap) {
    return gap.sliceKey() + "=" + gap.sliceValue();
  }

  private static SliceGaps.Gap find(List<SliceGaps.Gap> gaps, String metric) {
    return gaps.stream().filter(g -> g.metric().equals(metric)).findFirst().orElseThrow();
  }

  private static String value(Double value) {
    return value == null ? "" : String.format(Locale.ROOT, "%.4f", value);
  }
}
