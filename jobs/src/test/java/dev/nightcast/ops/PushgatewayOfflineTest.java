package dev.nightcast.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightcast.NightcastException;
import java.net.ServerSocket;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Run metrics and the Pushgateway client where no gateway runs (the real one: {@link PushgatewayTest}). */
@Tag("unit")
class PushgatewayOfflineTest {
  private static final LocalDate DS = LocalDate.parse("2001-01-20");

  @Test
  void anUnreachableGatewayIsAClearError() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    Pushgateway pushgateway = new Pushgateway("http://127.0.0.1:" + closedPort + "/");
    assertThatThrownBy(() -> pushgateway.push("flight_delay", "x 1\n"))
        .isInstanceOf(NightcastException.class)
        .hasMessageContaining("Cannot push run metrics to http://127.0.0.1:" + closedPort + "/metrics/job/nightcast/pipeline/flight_delay")
        .hasMessageContaining("pushgateway_url");
  }

  @Test
  void labelValuesAreEscaped() {
    String text = RunMetrics.text(DS, List.of(), List.of(new RunMetrics.Source("a\"b\\c\nd", 1, 0)), Map.of());
    assertThat(text).contains("nightcast_source_rows_in{source=\"a\\\"b\\\\c\\nd\"} 1");
  }
}
