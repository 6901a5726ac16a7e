package dev.nightcast.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class BinningTest {
  private static final Binning.Spec SPEC = new Binning.Spec("rate", false, List.of(0.5), List.of());

  /** A state of {@code values} all in the first value slot. */
  private static Binning.ColumnState state(double... values) {
    Binning.ColumnState state = Binning.ColumnState.empty(SPEC.slots());
    for (double value : values) {
      state.counts()[0]++;
      state.sums()[0] += value;
      state.sumSquares()[0] += value * value;
      state.mins()[0] = Double.isNaN(state.mins()[0]) ? value : Math.min(state.mins()[0], value);
      state.maxs()[0] = Double.isNaN(state.maxs()[0]) ? value : Math.max(state.maxs()[0], value);
    }
    return state;
  }

  @Test
  void aConstantColumnHasNoSpreadAtAllNotARoundingResidue() {
    double[] constant = new double[1000];
    java.util.Arrays.fill(constant, 0.2345678);
    // E[x^2] - E[x]^2 of these leaves a residue of 5e-16: a std of 2e-8 instead of 0
    Binning.ColumnState state = state(constant);
    assertThat(state.std(SPEC)).isZero();
    assertThat(state(0.1, 0.3).std(SPEC)).isCloseTo(0.1, within(1e-12));
  }
}
