package dev.nightcast.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightcast.NightcastException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Encoded columns (slots) summed back to the declared feature they come from. */
@Tag("unit")
class ImportanceSlotsTest {
  private static final List<String> FEATURES = List.of("distance", "distance_rate", "origin", "origin__hub");

  @Test
  void eachSlotBelongsToTheLongestFeatureItDerivesFrom() {
    String[] slots = {
      "distance__imputed", "distance_rate", "origin__onehot_ATL", "origin__onehot_BOS", "origin__onehot___unknown", "origin__hub__onehot_yes",
      "distance__imputed__bucket", "origin__index"};
    assertThat(Importances.slotFeatures(slots, FEATURES))
        .containsExactly("distance", "distance_rate", "origin", "origin", "origin", "origin__hub", "distance", "origin");
  }

  @Test
  void valuesAreSummedPerFeatureInDeclarationOrder() {
    String[] slotFeatures = {"origin", "distance", "origin", "origin"};
    Map<String, Double> sums = Importances.sumPerFeature(slotFeatures, new double[] {0.25, 0.5, 0.125, 0.125}, FEATURES);
    assertThat(sums).containsExactly(
        Map.entry("distance", 0.5), Map.entry("distance_rate", 0.0), Map.entry("origin", 0.5), Map.entry("origin__hub", 0.0));
  }

  @Test
  void aSlotOfNoDeclaredFeatureIsABug() {
    // "dist" is a prefix of a feature's name, not a feature with a suffix
    assertThatThrownBy(() -> Importances.slotFeatures(new String[] {"dist"}, FEATURES))
        .isInstanceOf(NightcastException.class)
        .hasMessageContaining("'dist' comes from no declared feature");
    assertThatThrownBy(() -> Importances.slotFeatures(new String[] {"distancex"}, FEATURES)).isInstanceOf(NightcastException.class);
  }
}
