package dev.nightcast.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightcast.NightcastException;
import java.net.ServerSocket;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Run metrics and the Pushgateway client where no gateway runs (the real one: {@link PushgatewayTest}). */
@Tag("unit")
class PushgatewayOfflineTest {
  private static final LocalDate DS = LocalDate.parse("2001-01-20");
  private static final Instant FINISHED = Instant.parse("2027-01-21T03:00:00Z");

  @Test
  void anUnreachableGatewayIsAClearError() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    Pushgateway pushgateway = new Pushgateway("http://127.0.0.1:" + closedPort + "/");
    assertThatThrownBy(() -> pushgateway.pushNight("flight_delay", PushgatewayTest.failedNight(DS, FINISHED)))
        .isInstanceOf(NightcastException.class)
        .hasMessageContaining("Cannot push run metrics to http://127.0.0.1:" + closedPort + "/metrics/job/nightcast/pipeline/flight_delay")
        .hasMessageContaining("pushgateway_url");
  }

  @Test
  void labelValuesAreEscaped() {
    RunMetrics.Night night = new RunMetrics.Night(DS, true, FINISHED, List.of(), List.of(new RunMetrics.Source("a\"b\\c\nd", 1, 0)), Map.of(),
        List.of(), List.of(), Optional.empty(), new RunMetrics.Thresholds(0.5, List.of(), 30));
    assertThat(RunMetrics.text(night)).contains("nightcast_source_rows_in{source=\"a\\\"b\\\\c\\nd\"} 1");
  }

  @Test
  void onlyASuccessfulNightHasALastSuccessAndItIsTheWallClockItFinished() {
    assertThat(RunMetrics.lastSuccessText(PushgatewayTest.failedNight(DS, FINISHED))).isEmpty();
    assertThat(RunMetrics.lastSuccessText(PushgatewayTest.monitoredNight(DS, FINISHED.plusMillis(500))).orElseThrow())
        .contains("nightcast_last_success_timestamp_seconds " + (FINISHED.getEpochSecond() + 0.5) + "\n")
        .contains("nightcast_last_success_logical_date_seconds " + DS.toEpochDay() * 86_400 + "\n");
    assertThat(RunMetrics.text(PushgatewayTest.monitoredNight(DS, FINISHED))).doesNotContain("last_success");
  }
}
