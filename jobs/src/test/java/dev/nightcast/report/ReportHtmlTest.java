package dev.nightcast.report;

import dev.nightcast.monitoring.OfflineOnline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightcast.monitoring.SliceGaps;
import dev.nightcast.scorecard.MlTest;
import dev.nightcast.scorecard.Scorecard;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The report's HTML from rows built inline: charts, heatmap colours, tables, escaping, no network. */
@Tag("unit")
class ReportHtmlTest {
  private static final LocalDate FROM = LocalDate.parse("2001-01-10");
  private static final LocalDate TO = LocalDate.parse("2001-01-14");

  private static ReportData data() {
    return new ReportData(
        "flight_delay", FROM, TO,
        List.of(
            new ReportData.PerformancePoint(FROM.plusDays(1), 1, "realised", 900, 0.71, 0.8, null, null, 0.40),
            new ReportData.PerformancePoint(FROM.plusDays(2), 1, "realised", 910, 0.69, 0.8, null, null, 0.30),
            new ReportData.PerformancePoint(FROM.plusDays(3), 1, "realised", 905, 0.68, 0.8, null, null, 0.50),
            new ReportData.PerformancePoint(FROM.plusDays(1), 1, "estimated", 900, 0.73, 0.81, null, null, 0.35),
            new ReportData.PerformancePoint(FROM.plusDays(2), 1, "estimated", 910, 0.72, 0.81, null, null, 0.36),
            new ReportData.PerformancePoint(FROM.plusDays(4), 2, "realised", 930, 0.74, 0.82, null, null, null),
            new ReportData.PerformancePoint(FROM.plusDays(4), 2, "estimated", 930, null, 0.82, null, null, 0.30)),
        List.of(
            new ReportData.DriftCell(FROM.plusDays(1), "distance", "none", "psi", 0.01),
            new ReportData.DriftCell(FROM.plusDays(2), "distance", "high", "psi", 0.6),
            new ReportData.DriftCell(FROM.plusDays(2), "dep_hour", "medium", "ks", 0.2)),
        List.of(
            new ReportData.QualityPoint(FROM, "actuals", 16_000L, 160L, 0.01),
            new ReportData.QualityPoint(FROM.plusDays(1), "actuals", 15_000L, 0L, 0.02),
            new ReportData.QualityPoint(FROM, "schedule", 16_500L, null, 0.0)),
        List.of(
            new ReportData.Alert(FROM.plusDays(2), "drift", "high", "psi", "distance", "psi of distance is 0.6 <script>alert(1)</script>"),
            new ReportData.Alert(FROM.plusDays(3), "staleness", "medium", "model_age_days", null, "model v1 is old")),
        List.of(
            new ReportData.ModelEvent(FROM, 0, "promote", 1, null, "beats the baseline", "train", "gbt", 0.71),
            new ReportData.ModelEvent(FROM.plusDays(4), 0, "promote", 2, 1, "better than v1 & the baseline", "train", "gbt", 0.74)),
        List.of(new ReportData.Run("r1", FROM.plusDays(3), "features", "failed", Instant.parse("2026-11-01T10:00:00Z"),
            Instant.parse("2026-11-01T10:01:00Z"), null, null, "Cannot read raw_actuals")),
        new ReportData.Explanation(2, "gbt", FROM.plusDays(4), List.of(
            new ReportData.FeatureImportance("distance", "builtin", "gain", 0.2, null, null, null),
            new ReportData.FeatureImportance("hour_of_day", "builtin", "gain", 0.7, null, null, null),
            new ReportData.FeatureImportance("origin<x>", "builtin", "gain", 0.1, null, null, null),
            new ReportData.FeatureImportance("distance", "permutation", "auc", 0.001, -0.002, 0.004, 5),
            new ReportData.FeatureImportance("hour_of_day", "permutation", "auc", 0.05, 0.04, 0.06, 5),
            new ReportData.FeatureImportance("origin<x>", "permutation", "auc", 0.01, 0.005, 0.015, 5))),
        List.of(
            new OfflineOnline.Version(1, FROM, "gbt", 0.70, "backtest", 3, 0.6933),
            new OfflineOnline.Version(2, FROM.plusDays(4), "gbt<2>", 0.75, "test", 1, 0.74),
            new OfflineOnline.Version(3, FROM.plusDays(4), "logistic", 0.66, "backtest", 0, null)),
        List.of(
            // an earlier night: ORD beyond on AUC
            gap(FROM.plusDays(3), "ORD", 900, "roc_auc", 0.55, 0.70, 0.10, true),
            gap(FROM.plusDays(3), "ORD", 900, "recall", 0.40, 0.40, 0.15, true),
            gap(FROM.plusDays(3), "ORD", 900, "false_positive_rate", 0.10, 0.10, 0.15, true),
            // the latest night: ORD beyond on FPR, LAX within, BOS too small to judge
            gap(FROM.plusDays(4), "ORD", 880, "roc_auc", 0.72, 0.74, 0.10, true),
            gap(FROM.plusDays(4), "ORD", 880, "recall", 0.45, 0.40, 0.15, true),
            gap(FROM.plusDays(4), "ORD", 880, "false_positive_rate", 0.31, 0.10, 0.15, true),
            gap(FROM.plusDays(4), "ORD", 880, "precision", 0.20, 0.45, 0.20, true),
            gap(FROM.plusDays(4), "LAX", 600, "roc_auc", 0.70, 0.74, 0.10, true),
            gap(FROM.plusDays(4), "LAX", 600, "recall", null, 0.40, 0.15, true),
            gap(FROM.plusDays(4), "LAX", 600, "false_positive_rate", 0.12, 0.10, 0.15, true),
            gap(FROM.plusDays(4), "B<S", 150, "roc_auc", 0.40, 0.74, 0.10, false),
            gap(FROM.plusDays(4), "B<S", 150, "recall", 0.90, 0.40, 0.15, false),
            gap(FROM.plusDays(4), "B<S", 150, "false_positive_rate", 0.70, 0.10, 0.15, false)));
  }

  private static SliceGaps.Gap gap(LocalDate ds, String airport, long rows, String metric, Double value, double whole, double threshold, boolean judged) {
    return new SliceGaps.Gap(ds, 2, "origin", airport, rows, metric, value, whole, threshold, judged);
  }

  @Test
  void drawsEveryChartAndTable() {
    String html = ReportHtml.render(data());

    assertThat(html).startsWith("<!DOCTYPE html>").contains("<title>nightcast report: flight_delay 2001-01-10 .. 2001-01-14</title>");
    // performance: v1 realised (3 points), v1 estimated (2), v2 realised (1); v2's estimate has no AUC
    String performance = svg(html, "performance");
    assertThat(count(performance, "<circle")).isEqualTo(6);
    assertThat(count(performance, "stroke-dasharray")).isEqualTo(1);
    assertThat(performance).contains("<title>v1 realised 2001-01-12: 0.6900</title>");
    assertThat(html).contains(">&#9473;&#9473; v1 realised</span>").contains(">&#9476;&#9476; v1 estimated</span>").contains(">&#9473;&#9473; v2 realised</span>");
    // the estimate's error beside the chart, over the days with both kinds: AUC on 2 days (v2's
    // estimate has none), accuracy on 3, F1 on 2 (v2's realised has none); no precision or recall
    assertThat(html)
        .contains("<tr><td>roc_auc</td><td>2</td><td>+0.0250</td><td>0.0250</td><td>+1.00</td><td>yes</td></tr>")
        .contains("<tr><td>accuracy</td><td>3</td><td>+0.0067</td><td>0.0067</td><td>+1.00</td><td>yes</td></tr>")
        .contains("<tr><td>f1</td><td>2</td><td>+0.0050</td><td>0.0550</td><td>-1.00</td><td>no</td></tr>")
        .doesNotContain("<td>precision</td>").doesNotContain("<td>recall</td>");
    // drift: 2 features x 5 days, coloured by severity, unmeasured days grey
    String drift = svg(html, "drift");
    assertThat(count(drift, "<rect class=\"cell\"")).isEqualTo(10);
    assertThat(drift).contains("fill=\"#e53935\" stroke=\"#fff\"><title>distance 2001-01-12: high (psi 0.6000)</title>")
        .contains("fill=\"#ffa726\" stroke=\"#fff\"><title>dep_hour 2001-01-12: medium (ks 0.2000)</title>")
        .contains("fill=\"#e3f2e1\" stroke=\"#fff\"><title>distance 2001-01-11: none (psi 0.0100)</title>")
        .contains("fill=\"#f5f5f5\" stroke=\"#fff\"><title>dep_hour 2001-01-10: not measured</title>");
    // data quality: a series per source; schedule has no quarantine count that day, so no point
    assertThat(count(svg(html, "quality-volume"), "<circle")).isEqualTo(3);
    assertThat(count(svg(html, "quality-missing"), "<circle")).isEqualTo(3);
    String quarantine = svg(html, "quality-quarantine");
    assertThat(count(quarantine, "<circle")).isEqualTo(2);
    assertThat(quarantine).contains("<title>actuals 2001-01-10: 0.0100</title>");
    // alerts newest first, escaped; the model history with its reasons; the failed stage
    assertThat(html).contains("psi of distance is 0.6 &lt;script&gt;alert(1)&lt;/script&gt;").doesNotContain("<script>alert(1)");
    assertThat(html.indexOf("model v1 is old")).isLessThan(html.indexOf("psi of distance is 0.6"));
    assertThat(html).contains("<td>promote</td><td>v2</td><td>gbt</td><td>0.7400</td><td>v1</td><td>train</td><td>better than v1 &amp; the baseline</td>");
    assertThat(html).contains("<td>features</td><td>2026-11-01T10:00:00Z</td><td>Cannot read raw_actuals</td>");
    assertThat(html).contains("<li>deployment frequency: 12.0 promotions per 30 nights (2 in 5 nights)</li>");
  }

  @Test
  void selfContainedAndDeterministic() {
    String html = ReportHtml.render(data());
    // nothing is fetched at view time: the only URL is the SVG namespace
    assertThat(html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "")).doesNotContain("http:").doesNotContain("https:")
        .doesNotContain(" src=").doesNotContain("<link");
    assertThat(ReportHtml.render(data())).isEqualTo(html);
  }

  @Test
  void anEmptyWindowSaysSo() {
    String html = ReportHtml.render(new ReportData("flight_delay", FROM, TO, List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), ReportData.Explanation.none(), List.of(), List.of()));
    assertThat(html).doesNotContain("<svg id=")
        .contains("No drift measured in this window")
        .contains("No alerts in this window.")
        .contains("No model was trained, promoted or rolled back in this window.")
        .contains("No stage failed in this window.")
        .contains("No model version has served a day whose labels arrived yet.")
        .contains("No champion serves at the end of this window.")
        .contains("No realised metrics of declared slices in this window");
    assertThat(ReportHtml.importances(new ReportData.Explanation(3, "gbt", FROM, List.of())))
        .contains("No importances were recorded for the champion v3 (gbt, trained on 2001-01-10).");
  }

  @Test
  void theChampionsImportancesComeMostImportantFirstWithTheirIntervals() {
    String table = ReportHtml.render(data()).replaceAll("(?s).*(<table id=\"importances\">.*?</table>).*", "$1");
    assertThat(table.lines().toList()).containsExactly(
        "<table id=\"importances\"><tr><th>feature</th><th>built-in (gain)</th><th>permutation (auc drop)</th><th>95% interval</th><th></th></tr>",
        "<tr><td>hour_of_day</td><td>0.7000</td><td>+0.0500</td><td>[+0.0400, +0.0600]</td><td></td></tr>",
        "<tr><td>origin&lt;x&gt;</td><td>0.1000</td><td>+0.0100</td><td>[+0.0050, +0.0150]</td><td></td></tr>",
        "<tr><td>distance</td><td>0.2000</td><td>+0.0010</td><td>[-0.0020, +0.0040]</td><td class=\"sev-medium\">includes 0</td></tr>",
        "</table>");
    assertThat(ReportHtml.render(data())).contains("The champion v2 (gbt, trained on 2001-01-14)");
  }

  @Test
  void eachServedVersionsOfflineAucStandsBesideItsRealisedAuc() {
    String html = ReportHtml.render(data());
    String table = html.replaceAll("(?s).*(<table id=\"offline-online\">.*?</table>).*", "$1");
    // v3 never served: not in the table
    assertThat(table.lines().toList()).containsExactly(
        "<table id=\"offline-online\"><tr><th>model</th><th>trained</th><th>candidate</th><th>offline AUC</th><th>from</th>"
            + "<th>served days</th><th>realised AUC</th><th>realised &minus; offline</th></tr>",
        "<tr><td>v1</td><td>2001-01-10</td><td>gbt</td><td>0.7000</td><td>backtest</td><td>3</td><td>0.6933</td><td>-0.0067</td></tr>",
        "<tr><td>v2</td><td>2001-01-14</td><td>gbt&lt;2&gt;</td><td>0.7500</td><td>test</td><td>1</td><td>0.7400</td><td>-0.0100</td></tr>",
        "</table>");
    // two versions: the mean gap, and no correlation from two points
    assertThat(html).contains("<p id=\"offline-online-summary\">Over 2 versions: realised runs -0.0083 from offline on average;"
        + " a correlation across versions needs at least 3 with both values and some spread.</p>");
  }

  @Test
  void theSlicesOfTheLatestNightShowTheirGapsFlaggedBeyondMaxGap() {
    String table = ReportHtml.render(data()).replaceAll("(?s).*(<table id=\"slices\">.*?</table>).*", "$1");
    assertThat(table.lines().toList()).containsExactly(
        "<table id=\"slices\"><tr><th>model</th><th>slice</th><th>rows</th><th>AUC</th><th>gap</th><th>TPR</th><th>gap</th><th>FPR</th>"
            + "<th>gap</th><th>beyond max_gap</th><th>nights flagged</th></tr>",
        "<tr><td>v2</td><td>whole population</td><td></td><td>0.7400</td><td></td><td>0.4000</td><td></td><td>0.1000</td><td></td><td></td>"
            + "<td></td></tr>",
        // precision is not shown, but its configured gap is judged and named
        "<tr><td>v2</td><td>origin=ORD</td><td>880</td><td>0.7200</td><td>-0.0200</td><td>0.4500</td><td>+0.0500</td><td>0.3100</td>"
            + "<td class=\"sev-medium\">+0.2100</td><td class=\"sev-medium\">false_positive_rate (max 0.15), precision (max 0.20)</td><td>2</td></tr>",
        "<tr><td>v2</td><td>origin=LAX</td><td>600</td><td>0.7000</td><td>-0.0400</td><td></td><td></td><td>0.1200</td><td>+0.0200</td>"
            + "<td></td><td>0</td></tr>",
        "<tr><td>v2</td><td>origin=B&lt;S</td><td>150</td><td>0.4000</td><td>-0.3400</td><td>0.9000</td><td>+0.5000</td><td>0.7000</td>"
            + "<td>+0.6000</td><td>too few rows to judge</td><td>0</td></tr>",
        "</table>");
    assertThat(ReportHtml.render(data())).contains("<h2>Slices and inclusion</h2>\n<p>Realised metrics on 2001-01-14 of each declared slice");
  }

  private static String svg(String html, String id) {
    Matcher matcher = Pattern.compile("<svg id=\"" + id + "\".*?</svg>", Pattern.DOTALL).matcher(html);
    assertThat(matcher.find()).as("chart %s", id).isTrue();
    return matcher.group();
  }

  private static int count(String text, String needle) {
    return text.split(Pattern.quote(needle), -1).length - 1;
  }

  @Test
  void theMlTestScoreSectionListsEachTestWithItsStatusAndTheScores() {
    List<Scorecard.Finding> findings = java.util.Arrays.stream(MlTest.values())
        .map(t -> new Scorecard.Finding(t, t == MlTest.FEATURE_COST ? Scorecard.Status.MANUAL : Scorecard.Status.AUTOMATED, "rows of <" + t.id() + ">"))
        .toList();
    Scorecard.Result result = new Scorecard.Result(TO, findings,
        java.util.Map.of(MlTest.Section.DATA, 6.5, MlTest.Section.MODEL, 7.0, MlTest.Section.INFRASTRUCTURE, 7.0, MlTest.Section.MONITORING, 7.0), 6.5);

    String html = ReportHtml.render(data(), java.util.Optional.of(result));
    assertThat(html).contains("<h2>ML Test Score</h2>").contains("<b id=\"ml-test-score\">6.5</b>").contains("Data 6.5, Model 7, Infrastructure 7")
        .contains("<td>Data 3: No feature&#39;s cost is too much</td><td class=\"status-manual\">manual</td><td>rows of &lt;Data 3&gt;</td>");
    assertThat(html.split("<tr>", -1).length - ReportHtml.render(data()).split("<tr>", -1).length).isEqualTo(1 + 28);
    assertThat(ReportHtml.render(data())).doesNotContain("ML Test Score");
  }
}
