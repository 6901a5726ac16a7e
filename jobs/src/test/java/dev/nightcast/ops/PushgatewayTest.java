package dev.nightcast.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightcast.testing.TestPushgateway;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Run metrics pushed to a real Pushgateway on loopback and scraped back as Prometheus would. */
@Tag("e2e")
class PushgatewayTest {
  @TempDir Path dir;

  private static final LocalDate DS = LocalDate.parse("2001-01-20");
  private static final String GROUP = "job=\"nightcast\",pipeline=\"flight_delay\"";
  private static final String LAST_SUCCESS = "{instance=\"\",job=\"nightcast_last_success\",pipeline=\"flight_delay\"}";
  private static final RunMetrics.Thresholds THRESHOLDS =
      new RunMetrics.Thresholds(0.5, List.of(new RunMetrics.Floor("roc_auc", 0.55, false), new RunMetrics.Floor("log_loss", 0.6, true)), 30);

  /** A night that got through every stage, its monitor included. */
  static RunMetrics.Night monitoredNight(LocalDate ds, Instant finished) {
    return new RunMetrics.Night(
        ds, true, finished,
        List.of(new RunMetrics.Stage("ingest", true, 12.5, 16_000L, 15_900L), new RunMetrics.Stage("score", true, 3.25, null, 8_000L)),
        List.of(new RunMetrics.Source("actuals", 16_000, 100)),
        Map.of(RunMetrics.alertKey("drift", "high"), 2L, RunMetrics.alertKey("staleness", "medium"), 1L),
        List.of(new RunMetrics.DriftShare("BASELINE", 3, 0.25), new RunMetrics.DriftShare("CONSECUTIVE", 3, 0.125)),
        List.of(new RunMetrics.Realised("roc_auc", 2, 0.75), new RunMetrics.Realised("log_loss", 2, 0.5)),
        Optional.of(new RunMetrics.Model(3, 12)), THRESHOLDS);
  }

  /** A night whose ingest failed: nothing from the monitor, no model known. */
  static RunMetrics.Night failedNight(LocalDate ds, Instant finished) {
    return new RunMetrics.Night(
        ds, false, finished, List.of(new RunMetrics.Stage("ingest", false, 1.0, null, null)), List.of(), Map.of(), List.of(), List.of(),
        Optional.empty(), THRESHOLDS);
  }

  @Test
  void aNightsMetricsArePushedAndScrapedBack() throws Exception {
    try (TestPushgateway gateway = TestPushgateway.start(dir.resolve("pushgateway.log"))) {
      Pushgateway pushgateway = new Pushgateway(gateway.url());
      pushgateway.pushNight("flight_delay", monitoredNight(DS, Instant.ofEpochSecond(1_800_000_000L)));

      String scraped = gateway.scrape();
      assertThat(scraped)
          .contains("nightcast_stage_duration_seconds{instance=\"\"," + GROUP + ",stage=\"ingest\"} 12.5")
          .contains("nightcast_stage_duration_seconds{instance=\"\"," + GROUP + ",stage=\"score\"} 3.25")
          .contains("nightcast_stage_rows_in{instance=\"\"," + GROUP + ",stage=\"ingest\"} 16000")
          .contains("nightcast_stage_rows_out{instance=\"\"," + GROUP + ",stage=\"score\"} 8000")
          .contains("nightcast_source_rows_quarantined{instance=\"\"," + GROUP + ",source=\"actuals\"} 100")
          // the gateway sorts labels by name
          .contains("nightcast_open_alerts{instance=\"\",job=\"nightcast\",kind=\"drift\",pipeline=\"flight_delay\",severity=\"high\"} 2")
          .contains("nightcast_open_alerts_count{instance=\"\"," + GROUP + "} 3")
          .contains("nightcast_run_success{instance=\"\"," + GROUP + "} 1")
          .contains("nightcast_run_logical_date_seconds{instance=\"\"," + GROUP + "} 9.799488e+08")
          .contains("nightcast_drift_share{comparison=\"BASELINE\",instance=\"\",job=\"nightcast\",model_version=\"3\",pipeline=\"flight_delay\"} 0.25")
          .contains("nightcast_drift_share_threshold{instance=\"\"," + GROUP + "} 0.5")
          .contains("nightcast_realised_performance{instance=\"\",job=\"nightcast\",metric=\"roc_auc\",model_version=\"2\",pipeline=\"flight_delay\"} 0.75")
          .contains("nightcast_performance_floor{bound=\"lower\",instance=\"\",job=\"nightcast\",metric=\"roc_auc\",pipeline=\"flight_delay\"} 0.55")
          .contains("nightcast_performance_floor{bound=\"upper\",instance=\"\",job=\"nightcast\",metric=\"log_loss\",pipeline=\"flight_delay\"} 0.6")
          .contains("nightcast_model_version{instance=\"\"," + GROUP + "} 3")
          .contains("nightcast_model_age_days{instance=\"\"," + GROUP + "} 12")
          .contains("nightcast_model_max_age_days{instance=\"\"," + GROUP + "} 30")
          .contains("nightcast_last_success_timestamp_seconds" + LAST_SUCCESS + " 1.8e+09")
          // score counts no input rows: no series rather than a made-up zero
          .doesNotContain("stage_rows_in{instance=\"\"," + GROUP + ",stage=\"score\"}");

      // the next night replaces the group as a whole: a stage that did not run does not linger
      pushgateway.pushNight("flight_delay", failedNight(DS.plusDays(1), Instant.ofEpochSecond(1_800_086_400L)));
      String next = gateway.scrape();
      assertThat(next)
          .contains("nightcast_stage_success{instance=\"\"," + GROUP + ",stage=\"ingest\"} 0")
          .contains("nightcast_run_success{instance=\"\"," + GROUP + "} 0")
          .contains("nightcast_open_alerts_count{instance=\"\"," + GROUP + "} 0")
          .doesNotContain("stage=\"score\"")
          .doesNotContain("nightcast_drift_share{")
          .doesNotContain("nightcast_realised_performance{")
          .doesNotContain("nightcast_model_age_days{");
    }
  }

  @Test
  void aFailedNightLeavesTheLastSuccessInPlaceAndTheNextSuccessMovesIt() throws Exception {
    try (TestPushgateway gateway = TestPushgateway.start(dir.resolve("pushgateway.log"))) {
      Pushgateway pushgateway = new Pushgateway(gateway.url());
      Instant succeeded = Instant.parse("2027-01-20T02:30:00.250Z");
      pushgateway.pushNight("flight_delay", monitoredNight(DS, succeeded));
      Map<String, Double> before = gateway.samples();
      assertThat(before).containsEntry("nightcast_last_success_timestamp_seconds" + LAST_SUCCESS, succeeded.toEpochMilli() / 1000.0)
          .containsEntry("nightcast_last_success_logical_date_seconds" + LAST_SUCCESS, (double) DS.toEpochDay() * 86_400);

      // two failed nights, a day apart: the night's group says failed, the last success stays put
      pushgateway.pushNight("flight_delay", failedNight(DS.plusDays(1), succeeded.plusSeconds(86_400)));
      pushgateway.pushNight("flight_delay", failedNight(DS.plusDays(2), succeeded.plusSeconds(2 * 86_400)));
      Map<String, Double> failed = gateway.samples();
      assertThat(failed).containsEntry("nightcast_run_success{instance=\"\"," + GROUP + "}", 0.0)
          .containsEntry("nightcast_run_logical_date_seconds{instance=\"\"," + GROUP + "}", (double) DS.plusDays(2).toEpochDay() * 86_400)
          .containsEntry("nightcast_last_success_timestamp_seconds" + LAST_SUCCESS, succeeded.toEpochMilli() / 1000.0)
          .containsEntry("nightcast_last_success_logical_date_seconds" + LAST_SUCCESS, (double) DS.toEpochDay() * 86_400);

      Instant recovered = succeeded.plusSeconds(3 * 86_400 + 600);
      pushgateway.pushNight("flight_delay", monitoredNight(DS.plusDays(3), recovered));
      assertThat(gateway.samples()).containsEntry("nightcast_last_success_timestamp_seconds" + LAST_SUCCESS, recovered.toEpochMilli() / 1000.0)
          .containsEntry("nightcast_run_success{instance=\"\"," + GROUP + "}", 1.0);
    }
  }
}
