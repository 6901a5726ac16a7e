package dev.nightcast.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class OfflineOnlineTest {
  private static final LocalDate DAY = LocalDate.parse("2001-02-01");

  private static OfflineOnline.Version version(int number, Double offline, Double online) {
    return new OfflineOnline.Version(number, DAY, "gbt", offline, offline == null ? null : "backtest", online == null ? 0 : 7, online);
  }

  @Test
  void theGapAndTheCorrelationAreOverTheVersionsWithBothValues() {
    // online = offline - 0.05 on three versions: a perfect correlation, a gap of -0.05; the version
    // that never served and the one without an offline value are left out
    OfflineOnline.Summary summary = OfflineOnline.summarize(List.of(
        version(1, 0.60, 0.55), version(2, 0.70, 0.65), version(3, 0.65, 0.60), version(4, 0.90, null), version(5, null, 0.99)));
    assertThat(summary.versions()).isEqualTo(3);
    assertThat(summary.meanGap()).isCloseTo(-0.05, within(1e-12));
    assertThat(summary.correlation()).isCloseTo(1.0, within(1e-12));
  }

  @Test
  void aVersionThatLookedBetterOfflineButServedWorseCorrelatesNegatively() {
    // Pearson by hand: offline (0.6, 0.7, 0.8) mean 0.7; online (0.70, 0.66, 0.65) mean 0.67;
    // covariance sum (-0.1)(0.03) + 0 + (0.1)(-0.02) = -0.005; spreads 0.02 and 0.0009 + 0.0001 + 0.0004 = 0.0014
    OfflineOnline.Summary summary = OfflineOnline.summarize(List.of(version(1, 0.6, 0.70), version(2, 0.7, 0.66), version(3, 0.8, 0.65)));
    assertThat(summary.correlation()).isCloseTo(-0.005 / Math.sqrt(0.02 * 0.0014), within(1e-12));
    assertThat(summary.meanGap()).isCloseTo((0.10 - 0.04 - 0.15) / 3, within(1e-12));
  }

  @Test
  void fewerThanThreeVersionsOrNoSpreadGiveNoCorrelation() {
    assertThat(OfflineOnline.summarize(List.of(version(1, 0.6, 0.7), version(2, 0.7, 0.6))).correlation()).isNaN();
    assertThat(OfflineOnline.summarize(List.of(version(1, 0.6, 0.7), version(2, 0.6, 0.6), version(3, 0.6, 0.5))).correlation()).isNaN();
    OfflineOnline.Summary none = OfflineOnline.summarize(List.of(version(1, 0.6, null)));
    assertThat(none.versions()).isZero();
    assertThat(none.meanGap()).isNaN();
    assertThat(version(1, 0.6, null).gap()).isNull();
  }
}
