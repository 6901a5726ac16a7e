package dev.nightcast.report;

import dev.nightcast.monitoring.OfflineOnline;

import dev.nightcast.monitoring.Performance;
import dev.nightcast.scorecard.Scorecard;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Renders the monitoring report: one self-contained HTML page (inline SVG charts, inline CSS, a few
 * lines of inline script to toggle chart series; nothing is fetched at view time). Pure: the same
 * data gives the same bytes.
 */
public final class ReportHtml {
  private static final String[] PALETTE = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"};
  /** Drift severities, mildest first (see DriftReport), and their heatmap colours. */
  private static final List<String> SEVERITIES = List.of("none", "low", "medium", "high");
  private static final List<String> SEVERITY_COLOURS = List.of("#e3f2e1", "#fff176", "#ffa726", "#e53935");
  private static final int WIDTH = 820;
  private static final int HEIGHT = 240;
  private static final int LEFT = 60;
  private static final int RIGHT = 20;
  private static final int TOP = 12;
  private static final int BOTTOM = 34;

  private ReportHtml() {}

  /** One line of a chart. */
  record Series(String name, String colour, boolean dashed, TreeMap<LocalDate, Double> points) {}

  public static String render(ReportData data) {
    return render(data, Optional.empty());
  }

  /** The report with, when given, the ML Test Score of its last night ({@code nightcast scorecard}). */
  public static String render(ReportData data, Optional<Scorecard.Result> scorecard) {
    DeliveryMetrics delivery =
        DeliveryMetrics.compute(data.from(), data.to(), data.modelEvents(), data.performance(), data.alerts(), data.runs());
    StringBuilder html = new StringBuilder();
    html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
        .append(escape("nightcast report: " + data.pipeline() + " " + data.from() + " .. " + data.to()))
        .append("</title>\n<style>\n")
        .append("body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:900px}")
        .append("h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ddd}")
        .append("table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top}")
        .append("svg{display:block;margin:8px 0}svg text{font-size:11px;fill:#444}.axis{stroke:#999}.grid{stroke:#eee}")
        .append(".legend,.key{font-size:13px;margin:4px 0}.legend span{cursor:pointer;margin-right:14px}.legend span.off{opacity:.35}")
        .append(".series.off{display:none}.empty{color:#777;font-style:italic}")
        .append(".sev-high{color:#c62828;font-weight:bold}.sev-medium{color:#e65100}\n")
        .append("</style>\n</head>\n<body>\n");
    html.append("<h1>").append(escape(data.pipeline())).append(": monitoring report ").append(data.from()).append(" .. ").append(data.to())
        .append("</h1>\n");

    html.append("<h2>Delivery</h2>\n<ul id=\"delivery\">\n");
    delivery.lines().forEach(line -> html.append("<li>").append(escape(line)).append("</li>\n"));
    html.append("</ul>\n");

    html.append("<h2>Performance per model version</h2>\n");
    html.append("<p>ROC AUC of the whole population by outcome date: realised (solid, from the labels that arrived) and the label-free estimate"
        + " made before the labels (dashed).</p>\n");
    html.append(performance(data));
    html.append(estimateErrors(data));

    html.append("<h2>Drift</h2>\n");
    html.append("<p>Worst severity per feature and day against the serving model's training reference (whole population).</p>\n");
    html.append(driftHeatmap(data));

    html.append("<h2>Slices and inclusion</h2>\n").append(SliceSection.render(data.sliceGaps()));

    html.append("<h2>Data quality</h2>\n");
    html.append(quality(data, "volume", "Rows in the drop", q -> q.rowsIn() == null ? null : q.rowsIn().doubleValue(), false));
    html.append(quality(data, "missing", "Missing ratio (mean over the source's columns)", ReportData.QualityPoint::missingRatio, true));
    html.append(quality(data, "quarantine", "Quarantine rate (rows quarantined / rows in)", ReportData.QualityPoint::quarantineRate, true));

    html.append("<h2>Alerts</h2>\n").append(alerts(data));
    html.append("<h2>Model history</h2>\n").append(modelHistory(data));
    html.append("<h2>Offline vs online</h2>\n").append(offlineOnline(data.versions()));
    html.append("<h2>Feature importances</h2>\n").append(importances(data.explanation()));
    html.append("<h2>Failed stages</h2>\n").append(failedRuns(data));
    scorecard.ifPresent(result -> html.append("<h2>ML Test Score</h2>\n").append(ScorecardHtml.table(result)));

    // clicking a legend entry hides or shows its series in that chart
    html.append("<script>\n")
        .append("document.querySelectorAll('.legend span').forEach(function (entry) {\n")
        .append("  entry.addEventListener('click', function () {\n")
        .append("    var chart = document.getElementById(entry.parentNode.dataset.chart);\n")
        .append("    chart.querySelectorAll('[data-series=\"' + entry.dataset.series + '\"]').forEach(function (s) { s.classList.toggle('off'); });\n")
        .append("    entry.classList.toggle('off');\n")
        .append("  });\n")
        .append("});\n")
        .append("</script>\n</body>\n</html>\n");
    return html.toString();
  }

  private static String performance(ReportData data) {
    Map<String, Series> series = new TreeMap<>();
    List<Integer> versions = data.performance().stream().map(ReportData.PerformancePoint::modelVersion).distinct().sorted().toList();
    for (ReportData.PerformancePoint point : data.performance()) {
      if (point.rocAuc() == null || point.rocAuc().isNaN()) {
        continue;
      }
      boolean estimated = point.kind().equals(Performance.ESTIMATED);
      String name = "v" + point.modelVersion() + " " + point.kind();
      String colour = PALETTE[versions.indexOf(point.modelVersion()) % PALETTE.length];
      series.computeIfAbsent(name, n -> new Series(n, colour, estimated, new TreeMap<>())).points().put(point.ds(), point.rocAuc());
    }
    return lineChart("performance", "ROC AUC", new ArrayList<>(series.values()), data.from(), data.to(), false);
  }

  /** The label-free estimate's error per metric beside the chart, with a plain verdict on whether it tracks. */
  private static String estimateErrors(ReportData data) {
    List<EstimateErrors.EstimateError> errors = EstimateErrors.of(data.performance());
    if (errors.isEmpty()) {
      return "<p class=\"empty\" id=\"estimate-error\">No outcome date has both an estimate and realised labels yet.</p>\n";
    }
    StringBuilder table = new StringBuilder();
    table.append("<h3>Label-free estimate vs realised</h3>\n<p>Over the outcome dates with both: bias is the mean of estimate &minus; realised,"
        + " correlation is across those days. An estimate tracks the realised value when the correlation is at least "
        + number(EstimateErrors.TRACKS_FROM) + "; one that does not only says the level, off by its bias.</p>\n");
    table.append("<table id=\"estimate-error\"><tr><th>metric</th><th>days</th><th>bias</th><th>mean absolute error</th><th>correlation</th>"
        + "<th>tracks</th></tr>\n");
    for (EstimateErrors.EstimateError error : errors) {
      table.append("<tr><td>").append(error.metric()).append("</td><td>").append(error.days()).append("</td><td>")
          .append(String.format(Locale.ROOT, "%+.4f</td><td>%.4f</td><td>", error.bias(), error.meanAbsoluteError()))
          .append(Double.isNaN(error.correlation()) ? "n/a" : String.format(Locale.ROOT, "%+.2f", error.correlation())).append("</td><td>")
          .append(error.tracks() ? "yes" : "no").append("</td></tr>\n");
    }
    return table.append("</table>\n").toString();
  }

  private static String quality(
      ReportData data, String id, String title, Function<ReportData.QualityPoint, Double> value, boolean ratio) {
    List<String> sources = data.quality().stream().map(ReportData.QualityPoint::source).distinct().sorted().toList();
    List<Series> series = new ArrayList<>();
    for (String source : sources) {
      TreeMap<LocalDate, Double> points = new TreeMap<>();
      data.quality().stream().filter(q -> q.source().equals(source) && value.apply(q) != null).forEach(q -> points.put(q.ds(), value.apply(q)));
      series.add(new Series(source, PALETTE[series.size() % PALETTE.length], false, points));
    }
    return "<h3>" + escape(title) + "</h3>\n" + lineChart("quality-" + id, title, series, data.from(), data.to(), ratio);
  }

  /** An SVG line chart over the days FROM..TO, a legend whose entries toggle their series. */
  static String lineChart(String id, String yLabel, List<Series> series, LocalDate from, LocalDate to, boolean fromZero) {
    List<Double> values = series.stream().flatMap(s -> s.points().values().stream()).filter(v -> !v.isNaN() && !v.isInfinite()).toList();
    if (values.isEmpty()) {
      return "<p class=\"empty\" id=\"" + id + "\">No values in this window.</p>\n";
    }
    double min = fromZero ? 0 : values.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
    double max = values.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    double pad = max == min ? Math.max(Math.abs(max) * 0.05, 0.01) : (max - min) * 0.08;
    double low = fromZero ? 0 : min - pad;
    double high = max + pad;
    long days = Math.max(1, to.toEpochDay() - from.toEpochDay());
    double plotWidth = WIDTH - LEFT - RIGHT;
    double plotHeight = HEIGHT - TOP - BOTTOM;
    Function<LocalDate, Double> x = ds -> LEFT + plotWidth * (ds.toEpochDay() - from.toEpochDay()) / days;
    Function<Double, Double> y = v -> TOP + plotHeight * (high - v) / (high - low);

    StringBuilder svg = new StringBuilder();
    svg.append("<div class=\"legend\" data-chart=\"").append(id).append("\">");
    for (int i = 0; i < series.size(); i++) {
      Series s = series.get(i);
      svg.append("<span data-series=\"").append(i).append("\" style=\"color:").append(s.colour()).append("\">")
          .append(s.dashed() ? "&#9476;&#9476; " : "&#9473;&#9473; ").append(escape(s.name())).append("</span>");
    }
    svg.append("</div>\n");
    svg.append("<svg id=\"").append(id).append("\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH)
        .append("\" height=\"").append(HEIGHT).append("\" role=\"img\" aria-label=\"").append(escape(yLabel)).append("\">\n");
    for (int i = 0; i <= 4; i++) {
      double v = low + (high - low) * i / 4;
      double yy = y.apply(v);
      svg.append(String.format(Locale.ROOT, "<line class=\"grid\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\"/>", LEFT, WIDTH - RIGHT, yy, yy))
          .append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", LEFT - 6, yy + 4, number(v)));
    }
    svg.append(String.format(Locale.ROOT, "<line class=\"axis\" x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\"/>\n", LEFT, WIDTH - RIGHT, HEIGHT - BOTTOM, HEIGHT - BOTTOM));
    long step = Math.max(1, (days + 1 + 7) / 8);
    for (LocalDate ds = from; !ds.isAfter(to); ds = ds.plusDays(step)) {
      svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>", x.apply(ds), HEIGHT - BOTTOM + 16,
          ds.toString().substring(5)));
    }
    svg.append('\n');
    for (int i = 0; i < series.size(); i++) {
      Series s = series.get(i);
      svg.append("<g class=\"series\" data-series=\"").append(i).append("\">");
      StringBuilder path = new StringBuilder();
      LocalDate previous = null;
      for (Map.Entry<LocalDate, Double> point : s.points().entrySet()) {
        // a missing day breaks the line instead of bridging it
        boolean adjacent = previous != null && point.getKey().equals(previous.plusDays(1));
        path.append(String.format(Locale.ROOT, "%s%.1f,%.1f ", adjacent ? "L" : "M", x.apply(point.getKey()), y.apply(point.getValue())));
        previous = point.getKey();
      }
      svg.append("<path fill=\"none\" stroke=\"").append(s.colour()).append("\" stroke-width=\"2\"")
          .append(s.dashed() ? " stroke-dasharray=\"6 4\"" : "").append(" d=\"").append(path.toString().trim()).append("\"/>");
      for (Map.Entry<LocalDate, Double> point : s.points().entrySet()) {
        svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"><title>%s %s: %s</title></circle>",
            x.apply(point.getKey()), y.apply(point.getValue()), s.colour(), escape(s.name()), point.getKey(), number(point.getValue())));
      }
      svg.append("</g>\n");
    }
    svg.append("</svg>\n");
    return svg.toString();
  }

  private static String driftHeatmap(ReportData data) {
    if (data.drift().isEmpty()) {
      return "<p class=\"empty\" id=\"drift\">No drift measured in this window (no model served yet).</p>\n";
    }
    List<String> columns = data.drift().stream().map(ReportData.DriftCell::column).distinct().sorted().toList();
    Map<String, ReportData.DriftCell> cells = new TreeMap<>();
    data.drift().forEach(c -> cells.put(c.column() + "|" + c.ds(), c));
    long days = data.to().toEpochDay() - data.from().toEpochDay() + 1;
    int label = 150;
    double cell = Math.max(8, Math.min(28, (WIDTH - label - RIGHT) / (double) days));
    int rowHeight = 18;
    int height = TOP + rowHeight * columns.size() + BOTTOM;
    StringBuilder svg = new StringBuilder();
    svg.append("<div class=\"key\">");
    for (int i = 0; i < SEVERITIES.size(); i++) {
      svg.append("<span><svg width=\"12\" height=\"12\" style=\"display:inline;margin:0 4px 0 12px\"><rect width=\"12\" height=\"12\" fill=\"")
          .append(SEVERITY_COLOURS.get(i)).append("\"/></svg>").append(SEVERITIES.get(i)).append("</span>");
    }
    svg.append("</div>\n");
    svg.append("<svg id=\"drift\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"").append(height)
        .append("\" role=\"img\" aria-label=\"drift heatmap\">\n");
    for (int r = 0; r < columns.size(); r++) {
      String column = columns.get(r);
      int yy = TOP + r * rowHeight;
      svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>", label - 6, yy + 13, escape(column)));
      for (long d = 0; d < days; d++) {
        LocalDate ds = data.from().plusDays(d);
        ReportData.DriftCell c = cells.get(column + "|" + ds);
        int severity = c == null ? -1 : SEVERITIES.indexOf(c.severity());
        String fill = severity < 0 ? "#f5f5f5" : SEVERITY_COLOURS.get(severity);
        String title = c == null ? column + " " + ds + ": not measured"
            : column + " " + ds + ": " + c.severity() + " (" + c.metric() + " " + number(c.value()) + ")";
        svg.append(String.format(Locale.ROOT, "<rect class=\"cell\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\" stroke=\"#fff\"><title>%s</title></rect>",
            label + d * cell, yy, cell, rowHeight, fill, escape(title)));
      }
      svg.append('\n');
    }
    // a date label needs about 40 px
    long step = Math.max(1, (long) Math.ceil(40 / cell));
    for (long d = 0; d < days; d += step) {
      svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>", label + d * cell + cell / 2,
          TOP + rowHeight * columns.size() + 16, data.from().plusDays(d).toString().substring(5)));
    }
    svg.append("\n</svg>\n");
    return svg.toString();
  }

  private static String alerts(ReportData data) {
    if (data.alerts().isEmpty()) {
      return "<p class=\"empty\" id=\"alerts\">No alerts in this window.</p>\n";
    }
    Map<String, Long> bySeverity = new TreeMap<>();
    data.alerts().forEach(a -> bySeverity.merge(a.severity(), 1L, Long::sum));
    Map<String, Long> byKind = new TreeMap<>();
    data.alerts().forEach(a -> byKind.merge(a.kind(), 1L, Long::sum));
    StringBuilder out = new StringBuilder("<p>").append(data.alerts().size()).append(" alerts; by kind ").append(escape(byKind.toString()))
        .append(", by severity ").append(escape(bySeverity.toString())).append(".</p>\n");
    out.append("<table id=\"alerts\"><tr><th>ds</th><th>kind</th><th>severity</th><th>metric</th><th>column</th><th>message</th></tr>\n");
    data.alerts().stream()
        .sorted(Comparator.comparing(ReportData.Alert::ds).reversed()
            .thenComparing(a -> -SEVERITIES.indexOf(a.severity()))
            .thenComparing(ReportData.Alert::kind)
            .thenComparing(a -> a.column() == null ? "" : a.column())
            .thenComparing(ReportData.Alert::metric))
        .forEach(a -> out.append("<tr><td>").append(a.ds()).append("</td><td>").append(escape(a.kind())).append("</td><td class=\"sev-")
            .append(escape(a.severity())).append("\">").append(escape(a.severity())).append("</td><td>").append(escape(a.metric()))
            .append("</td><td>").append(escape(a.column() == null ? "" : a.column())).append("</td><td>").append(escape(a.message()))
            .append("</td></tr>\n"));
    return out.append("</table>\n").toString();
  }

  /** Per version that served: its offline AUC beside its realised AUC, then the gap and the correlation across versions. */
  private static String offlineOnline(List<OfflineOnline.Version> versions) {
    List<OfflineOnline.Version> served = versions.stream().filter(v -> v.servedDays() > 0).toList();
    if (served.isEmpty()) {
      return "<p class=\"empty\" id=\"offline-online\">No model version has served a day whose labels arrived yet.</p>\n";
    }
    StringBuilder out = new StringBuilder(
        "<p>Each version's AUC at training (the backtest mean over its folds, else its test window) beside the mean of its realised daily AUC"
            + " over every day it served (all of its serving life, not only this window; daily AUCs count scores in one score bin as ties).</p>\n"
            + "<table id=\"offline-online\"><tr><th>model</th><th>trained</th><th>candidate</th><th>offline AUC</th><th>from</th>"
            + "<th>served days</th><th>realised AUC</th><th>realised &minus; offline</th></tr>\n");
    for (OfflineOnline.Version v : served) {
      out.append("<tr><td>v").append(v.version()).append("</td><td>").append(v.trainedOn()).append("</td><td>").append(escape(v.candidate()))
          .append("</td><td>").append(v.offline() == null ? "" : number(v.offline())).append("</td><td>")
          .append(v.offlineSource() == null ? "" : v.offlineSource()).append("</td><td>").append(v.servedDays()).append("</td><td>")
          .append(number(v.online())).append("</td><td>").append(v.gap() == null ? "" : String.format(Locale.ROOT, "%+.4f", v.gap()))
          .append("</td></tr>\n");
    }
    out.append("</table>\n");
    OfflineOnline.Summary summary = OfflineOnline.summarize(versions);
    out.append("<p id=\"offline-online-summary\">");
    if (summary.versions() == 0) {
      out.append("No served version has an offline AUC to compare.");
    } else {
      out.append(String.format(Locale.ROOT, "Over %d version%s: realised runs %+.4f from offline on average; ", summary.versions(),
          summary.versions() == 1 ? "" : "s", summary.meanGap()));
      out.append(Double.isNaN(summary.correlation())
          ? "a correlation across versions needs at least " + OfflineOnline.MIN_VERSIONS + " with both values and some spread."
          : String.format(Locale.ROOT, "correlation across versions %+.2f.", summary.correlation()));
    }
    return out.append("</p>\n").toString();
  }

  private static String modelHistory(ReportData data) {
    if (data.modelEvents().isEmpty()) {
      return "<p class=\"empty\" id=\"models\">No model was trained, promoted or rolled back in this window.</p>\n";
    }
    StringBuilder out = new StringBuilder(
        "<table id=\"models\"><tr><th>ds</th><th>event</th><th>model</th><th>candidate</th><th>test AUC</th><th>previous champion</th>"
            + "<th>by</th><th>reason</th></tr>\n");
    data.modelEvents().stream()
        .sorted(Comparator.comparing(ReportData.ModelEvent::ds).thenComparing(ReportData.ModelEvent::seq))
        .forEach(e -> out.append("<tr><td>").append(e.ds()).append("</td><td>").append(escape(e.event())).append("</td><td>v").append(e.modelVersion())
            .append("</td><td>").append(escape(e.candidate() == null ? "" : e.candidate())).append("</td><td>")
            .append(e.testAuc() == null ? "" : number(e.testAuc())).append("</td><td>")
            .append(e.previousVersion() == null ? "" : "v" + e.previousVersion()).append("</td><td>").append(escape(e.actor()))
            .append("</td><td>").append(escape(e.reason())).append("</td></tr>\n"));
    return out.append("</table>\n").toString();
  }

  /**
   * The champion's importances, a row per feature (by permutation importance, then built-in,
   * descending): built-in, and the permutation drop with its 95% interval, flagged where the
   * interval includes 0.
   */
  static String importances(ReportData.Explanation explanation) {
    if (explanation.championVersion() == null) {
      return "<p class=\"empty\" id=\"importances\">No champion serves at the end of this window.</p>\n";
    }
    String champion = "v" + explanation.championVersion() + " (" + explanation.candidate() + ", trained on " + explanation.trainedOn() + ")";
    if (explanation.importances().isEmpty()) {
      return "<p class=\"empty\" id=\"importances\">No importances were recorded for the champion " + escape(champion) + ".</p>\n";
    }
    Map<String, ReportData.FeatureImportance> builtin = new TreeMap<>();
    Map<String, ReportData.FeatureImportance> permutation = new TreeMap<>();
    for (ReportData.FeatureImportance importance : explanation.importances()) {
      (importance.kind().equals("permutation") ? permutation : builtin).put(importance.feature(), importance);
    }
    String builtinMetric = builtin.values().stream().map(ReportData.FeatureImportance::metric).findFirst().orElse("");
    String permutationMetric = permutation.values().stream().map(ReportData.FeatureImportance::metric).findFirst().orElse("");
    // most important first; features alike in both stay in name order
    List<String> features = new ArrayList<>(new TreeSet<>(explanation.importances().stream().map(ReportData.FeatureImportance::feature).toList()));
    features.sort(Comparator.comparingDouble((String f) -> valueOrLowest(permutation, f)).thenComparingDouble(f -> valueOrLowest(builtin, f)).reversed());
    StringBuilder out = new StringBuilder("<p>The champion ").append(escape(champion)).append(": its built-in importance per feature, and its"
        + " permutation importance: how much worse its metric gets on its validation window with the feature's values shuffled, with a"
        + " 95% interval over the window's blocks. A feature whose interval includes 0 may not help the model.</p>\n");
    out.append("<table id=\"importances\"><tr><th>feature</th><th>built-in (").append(escape(builtinMetric)).append(")</th><th>permutation (")
        .append(escape(permutationMetric)).append(" drop)</th><th>95% interval</th><th></th></tr>\n");
    for (String feature : features) {
      ReportData.FeatureImportance b = builtin.get(feature);
      ReportData.FeatureImportance p = permutation.get(feature);
      boolean includesZero = p != null && p.lower() != null && p.lower() <= 0;
      out.append("<tr><td>").append(escape(feature)).append("</td><td>").append(b == null ? "" : String.format(Locale.ROOT, "%.4f", b.value()))
          .append("</td><td>").append(p == null ? "" : String.format(Locale.ROOT, "%+.4f", p.value())).append("</td><td>")
          .append(p == null || p.lower() == null ? "" : String.format(Locale.ROOT, "[%+.4f, %+.4f]", p.lower(), p.upper()))
          .append("</td><td").append(includesZero ? " class=\"sev-medium\">includes 0" : ">").append("</td></tr>\n");
    }
    return out.append("</table>\n").toString();
  }

  private static double valueOrLowest(Map<String, ReportData.FeatureImportance> importances, String feature) {
    return importances.containsKey(feature) ? importances.get(feature).value() : Double.NEGATIVE_INFINITY;
  }

  private static String failedRuns(ReportData data) {
    List<ReportData.Run> failed =
        data.runs().stream().filter(r -> r.status().equals("failed")).sorted(Comparator.comparing(ReportData.Run::startedAt)).toList();
    if (failed.isEmpty()) {
      return "<p class=\"empty\" id=\"failures\">No stage failed in this window.</p>\n";
    }
    StringBuilder out = new StringBuilder("<table id=\"failures\"><tr><th>ds</th><th>stage</th><th>started (UTC)</th><th>error</th></tr>\n");
    failed.forEach(r -> out.append("<tr><td>").append(r.ds()).append("</td><td>").append(escape(r.stage())).append("</td><td>")
        .append(r.startedAt()).append("</td><td>").append(escape(r.message() == null ? "" : r.message())).append("</td></tr>\n"));
    return out.append("</table>\n").toString();
  }

  /** Few significant digits, whatever the scale (counts, ratios, AUCs). */
  static String number(double value) {
    double magnitude = Math.abs(value);
    if (magnitude >= 1000) {
      return String.format(Locale.ROOT, "%.0f", value);
    }
    if (magnitude >= 1 || magnitude == 0) {
      return String.format(Locale.ROOT, "%.2f", value);
    }
    return String.format(Locale.ROOT, "%.4f", value);
  }

  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
