package dev.nightcast.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class CalibrationTest {
  @Test
  void poolsAdjacentViolatorsLikeIsotonicRegression() {
    // bins of width 0.25: rates 1/4, 3/4, 1/4, 1 with 4 rows each; bins 2 and 3 violate the order
    // and pool to 2/4 (scikit-learn's IsotonicRegression on the bin means gives 0.25, 0.5, 0.5, 1)
    assertThat(Calibration.isotonic(new double[] {4, 4, 4, 4}, new double[] {1, 3, 1, 4}))
        .containsExactly(new double[] {0.25, 0.5, 0.5, 1.0}, within(1e-12));
  }

  @Test
  void emptyBinsTakeTheBlockBelow() {
    // one positive of two rows in bin 5, one of one in bin 9 (NaN scores are left out before: MetricsTest)
    double[] map = Calibration.isotonic(new double[] {0, 0, 0, 0, 0, 2, 0, 0, 0, 1}, new double[] {0, 0, 0, 0, 0, 1, 0, 0, 0, 1});
    assertThat(map).containsExactly(new double[] {0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 1.0}, within(1e-12));
    assertThat(Calibration.apply(map, 0.97)).isEqualTo(1.0);
    assertThat(Calibration.apply(map, 1.0)).as("the top edge is in the last bin").isEqualTo(1.0);
    // no rows at all: the identity on bin mids
    assertThat(Calibration.isotonic(new double[4], new double[4])).containsExactly(new double[] {0.125, 0.375, 0.625, 0.875}, within(1e-12));
  }
}
