package dev.nightcast.report;

import dev.nightcast.scorecard.MlTest;
import dev.nightcast.scorecard.Scorecard;

/** The report's "ML Test Score" section: the scorecard's table, its section scores and final score. Pure. */
final class ScorecardHtml {
  private ScorecardHtml() {}

  static String table(Scorecard.Result result) {
    StringBuilder out = new StringBuilder();
    out.append("<p>The 28 tests of the ML Test Score (Breck et al., 2017) for the night ").append(result.night())
        .append(": automated 1, manual (documented in the README) 0.5, missing or not checked 0. Final score: <b id=\"ml-test-score\">")
        .append(Scorecard.points(result.finalScore())).append("</b>, the smallest section score (")
        .append(String.join(", ", java.util.Arrays.stream(MlTest.Section.values())
            .map(s -> ReportHtml.escape(s.label) + " " + Scorecard.points(result.sections().get(s))).toList()))
        .append(").</p>\n");
    out.append("<table id=\"scorecard\"><tr><th>test</th><th>status</th><th>evidence</th></tr>\n");
    for (Scorecard.Finding f : result.findings()) {
      out.append("<tr><td>").append(ReportHtml.escape(f.test().id() + ": " + f.test().title)).append("</td><td class=\"status-")
          .append(f.status().name().toLowerCase(java.util.Locale.ROOT)).append("\">").append(f.status().label()).append("</td><td>")
          .append(ReportHtml.escape(f.evidence())).append("</td></tr>\n");
    }
    return out.append("</table>\n").toString();
  }
}
