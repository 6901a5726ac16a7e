package dev.nightcast.maintenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightcast.ExitCode;
import dev.nightcast.NightcastException;
import dev.nightcast.registry.ModelEventsTable;
import dev.nightcast.registry.ModelsTable;
import dev.nightcast.registry.Registry;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class LineageTest {
  private static ModelEventsTable.Event event(int day, int seq, String kind, int version) {
    return new ModelEventsTable.Event(LocalDate.of(2001, 1, day), seq, kind, version, null, "test", "train");
  }

  private static ModelsTable.Model model(int version, String inputVersions) {
    LocalDate ds = LocalDate.of(2001, 1, version);
    return new ModelsTable.Model(ds, "run", version, "c", "logistic_regression", true, "binary_classification", "{}", "{}", List.of("f"), "{}", 42L,
        ds, ds, 1L, 1L, 1L, null, null, Map.of(), Map.of(), "{}", "{}", null, null, "enabled", true, List.of(), 1.0, "promoted", "r",
        inputVersions, "sha", "code", "path", "ref", null, null, null, null, null, null, null);
  }

  @Test
  void theKeptModelsAreTheTopOfTheChampionStackAndThePublishedOnes() {
    List<ModelEventsTable.Event> events = List.of(event(3, 0, Registry.PROMOTE, 1), event(10, 0, Registry.PROMOTE, 4),
        event(17, 0, Registry.PROMOTE, 7), event(24, 0, Registry.PROMOTE, 9), event(24, 1, Registry.ROLLBACK, 7));
    // the stack is 1, 4, 7 after the rollback: 9 is no rollback target any more
    assertThat(Lineage.keptModels(events, 2, List.of()))
        .containsExactlyInAnyOrderEntriesOf(Map.of(7, "the champion", 4, "rollback target 1"));
    assertThat(Lineage.keptModels(events, 2, List.of(9, 7)))
        .containsExactlyInAnyOrderEntriesOf(Map.of(7, "the champion", 4, "rollback target 1", 9, "served by a published version"));
    assertThat(Lineage.keptModels(List.of(), 3, List.of())).isEmpty();
  }

  @Test
  void theNeedsOfTheKeptModelsAreListedPerTableOldestFirst() {
    List<ModelsTable.Model> registered = List.of(
        model(1, "{\"features\": 10, \"raw_actuals\": 4}"), model(2, "{\"features\": 30, \"raw_actuals\": 9}"), model(3, "{\"features\": 20}"));
    Map<String, List<Lineage.Need>> needs = Lineage.needs(Set.of(2, 3), registered);
    assertThat(needs.get("features")).containsExactly(new Lineage.Need("features", 20, 3), new Lineage.Need("features", 30, 2));
    assertThat(Lineage.oldest(needs, "raw_actuals")).contains(new Lineage.Need("raw_actuals", 9, 2));
    assertThat(Lineage.oldest(needs, "predictions")).isEmpty();
    assertThatThrownBy(() -> Lineage.needs(Set.of(1), List.of(model(1, "not json"))))
        .isInstanceOfSatisfying(NightcastException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.BAD_DATA))
        .hasMessageContaining("Cannot read the lineage of model v1");
  }

  @Test
  void theRetentionsCoverTheVersionsAgeRoundedUpWithAnHourOfSkew() {
    Instant now = Instant.parse("2026-12-06T12:00:00Z");
    assertThat(Lineage.hoursToKeep(now, now)).isEqualTo(1);
    assertThat(Lineage.hoursToKeep(now.minusSeconds(61 * 60), now)).isEqualTo(3);
    assertThat(Lineage.hoursToKeep(now.minusSeconds(3 * 86400), now)).isEqualTo(73);
    assertThat(Lineage.daysToKeep(now, now, 30)).isEqualTo(30);
    assertThat(Lineage.daysToKeep(now.minusSeconds(60), now, 30)).isEqualTo(31);
    assertThat(Lineage.daysToKeep(now.minusSeconds(40 * 86400), now, 30)).isEqualTo(70);
  }
}
