package dev.nightcast.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class DeliveryMetricsTest {
  private static final LocalDate FROM = LocalDate.parse("2001-01-01");
  private static final LocalDate TO = LocalDate.parse("2001-01-30");

  private static LocalDate day(int d) {
    return FROM.plusDays(d - 1L);
  }

  private static ReportData.ModelEvent event(int d, int seq, String event, int version, Integer previous) {
    return new ReportData.ModelEvent(day(d), seq, event, version, previous, "because", "train", "gbt", 0.7);
  }

  private static ReportData.PerformancePoint realised(int d, int version) {
    return new ReportData.PerformancePoint(day(d), version, "realised", 100, 0.7, 0.8, null, null, null);
  }

  private static ReportData.Run run(int d, String stage, String status, String start, String end) {
    return new ReportData.Run("r", day(d), stage, status, Instant.parse(start), Instant.parse(end), null, null, null);
  }

  @Test
  void promotionsFailuresRestoresAndLeadTimes() {
    List<ReportData.ModelEvent> events = List.of(
        event(5, 0, "promote", 1, null),    // three clean monitored nights: a success
        event(12, 0, "promote", 2, 1),      // a performance alert on its second night: a failure
        event(19, 0, "reject", 3, null),    // not a deployment
        event(20, 0, "promote", 4, 2),
        event(22, 1, "rollback", 2, 4),     // v4 rolled back: a failure
        event(29, 0, "promote", 5, 2));     // one monitored night so far: pending
    List<ReportData.PerformancePoint> performance = new ArrayList<>();
    for (int d : List.of(6, 7, 8, 9)) {
      performance.add(realised(d, 1));
    }
    for (int d : List.of(13, 14, 15)) {
      performance.add(realised(d, 2));
    }
    performance.add(realised(21, 4));
    performance.add(realised(30, 5));
    performance.add(new ReportData.PerformancePoint(day(9), 1, "estimated", 100, 0.7, 0.8, null, null, null));
    List<ReportData.Alert> alerts = List.of(
        new ReportData.Alert(day(14), "performance", "high", "roc_auc", null, "realised roc_auc of model v2 is low"),
        new ReportData.Alert(day(7), "drift", "high", "psi", "distance", "drift does not make a promotion fail"));
    List<ReportData.Run> runs = List.of(
        run(10, "ingest", "succeeded", "2026-11-01T10:00:00Z", "2026-11-01T10:00:30Z"),
        run(10, "publish", "succeeded", "2026-11-01T10:04:00Z", "2026-11-01T10:05:00Z"),
        run(11, "ingest", "succeeded", "2026-11-01T11:00:00Z", "2026-11-01T11:00:20Z"),
        run(11, "features", "failed", "2026-11-01T11:00:20Z", "2026-11-01T11:01:00Z"),
        run(11, "ingest", "succeeded", "2026-11-01T11:30:00Z", "2026-11-01T11:30:20Z"),
        run(11, "features", "succeeded", "2026-11-01T11:30:20Z", "2026-11-01T11:31:00Z"),
        run(11, "publish", "succeeded", "2026-11-01T11:39:00Z", "2026-11-01T11:40:00Z"),
        run(12, "ingest", "succeeded", "2026-11-01T12:00:00Z", "2026-11-01T12:00:20Z"),
        run(12, "publish", "succeeded", "2026-11-01T12:06:00Z", "2026-11-01T12:07:00Z"),
        run(13, "monitor", "failed", "2026-11-01T13:00:00Z", "2026-11-01T13:00:10Z"),
        run(13, "monitor", "failed", "2026-11-01T13:10:00Z", "2026-11-01T13:10:10Z"),
        // outside the window: ignored
        run(31, "ingest", "failed", "2026-11-01T14:00:00Z", "2026-11-01T14:00:10Z"));

    DeliveryMetrics metrics = DeliveryMetrics.compute(FROM, TO, events, performance, alerts, runs);

    assertThat(metrics.nights()).isEqualTo(30);
    assertThat(metrics.promotions()).isEqualTo(4);
    assertThat(metrics.deploymentsPer30Nights()).isEqualTo(4.0);
    assertThat(metrics.judgedPromotions()).isEqualTo(3);
    assertThat(metrics.failedPromotions()).isEqualTo(2);
    assertThat(metrics.changeFailureRate()).hasValueSatisfying(rate -> assertThat(rate).isCloseTo(2.0 / 3, org.assertj.core.data.Offset.offset(1e-12)));
    // failed at 11:01, restored by the publish that ended 11:40; the monitor failures of night 13 are still open
    assertThat(metrics.restoredIncidents()).isEqualTo(1);
    assertThat(metrics.openIncidents()).isEqualTo(1);
    assertThat(metrics.meanTimeToRestore()).contains(Duration.ofMinutes(39));
    // 5 min (night 10), 10 min (night 11: from the re-run's ingest), 7 min (night 12): median 7 min
    assertThat(metrics.publishedNights()).isEqualTo(3);
    assertThat(metrics.medianLeadTime()).contains(Duration.ofMinutes(7));
    assertThat(metrics.lines()).containsExactly(
        "deployment frequency: 4.0 promotions per 30 nights (4 in 30 nights)",
        "change failure rate: 67% (2 of 3 judged promotions rolled back or alerted in their first 3 monitored nights)",
        "mean time to restore: 39m00s (1 restored, 1 still failing)",
        "lead time (ingest start to published predictions): 7m00s median over 3 published nights");
  }

  @Test
  void nothingToJudgeReadsNotAvailable() {
    DeliveryMetrics metrics = DeliveryMetrics.compute(FROM, FROM.plusDays(9), List.of(), List.of(), List.of(), List.of());
    assertThat(metrics.deploymentsPer30Nights()).isZero();
    assertThat(metrics.changeFailureRate()).isEmpty();
    assertThat(metrics.meanTimeToRestore()).isEmpty();
    assertThat(metrics.medianLeadTime()).isEmpty();
    assertThat(metrics.lines().get(1)).startsWith("change failure rate: n/a");
  }
}
