package dev.nightcast.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightcast.testing.TestPushgateway;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Run metrics pushed to a real Pushgateway on loopback and scraped back as Prometheus would. */
@Tag("e2e")
class PushgatewayTest {
  @TempDir Path dir;

  private static final LocalDate DS = LocalDate.parse("2001-01-20");

  @Test
  void aNightsMetricsArePushedAndScrapedBack() throws Exception {
    try (TestPushgateway gateway = TestPushgateway.start(dir.resolve("pushgateway.log"))) {
      Pushgateway pushgateway = new Pushgateway(gateway.url());
      pushgateway.push("flight_delay", RunMetrics.text(DS,
          List.of(new RunMetrics.Stage("ingest", true, 12.5, 16_000L, 15_900L), new RunMetrics.Stage("score", true, 3.25, null, 8_000L)),
          List.of(new RunMetrics.Source("actuals", 16_000, 100)),
          Map.of(RunMetrics.alertKey("drift", "high"), 2L, RunMetrics.alertKey("staleness", "medium"), 1L)));

      String scraped = gateway.scrape();
      String group = "job=\"nightcast\",pipeline=\"flight_delay\"";
      assertThat(scraped)
          .contains("nightcast_stage_duration_seconds{instance=\"\"," + group + ",stage=\"ingest\"} 12.5")
          .contains("nightcast_stage_duration_seconds{instance=\"\"," + group + ",stage=\"score\"} 3.25")
          .contains("nightcast_stage_rows_in{instance=\"\"," + group + ",stage=\"ingest\"} 16000")
          .contains("nightcast_stage_rows_out{instance=\"\"," + group + ",stage=\"score\"} 8000")
          .contains("nightcast_source_rows_quarantined{instance=\"\"," + group + ",source=\"actuals\"} 100")
          // the gateway sorts labels by name
          .contains("nightcast_open_alerts{instance=\"\",job=\"nightcast\",kind=\"drift\",pipeline=\"flight_delay\",severity=\"high\"} 2")
          .contains("nightcast_open_alerts_count{instance=\"\"," + group + "} 3")
          .contains("nightcast_run_success{instance=\"\"," + group + "} 1")
          .contains("nightcast_run_logical_date_seconds{instance=\"\"," + group + "} 9.799488e+08")
          // score counts no input rows: no series rather than a made-up zero
          .doesNotContain("stage_rows_in{instance=\"\"," + group + ",stage=\"score\"}");

      // the next night replaces the group as a whole: a stage that did not run does not linger
      pushgateway.push("flight_delay", RunMetrics.text(DS.plusDays(1),
          List.of(new RunMetrics.Stage("ingest", false, 1.0, null, null)), List.of(), Map.of()));
      String next = gateway.scrape();
      assertThat(next)
          .contains("nightcast_stage_success{instance=\"\"," + group + ",stage=\"ingest\"} 0")
          .contains("nightcast_run_success{instance=\"\"," + group + "} 0")
          .contains("nightcast_open_alerts_count{instance=\"\"," + group + "} 0")
          .doesNotContain("stage=\"score\"");
    }
  }
}
