package dev.nightcast.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class ChampionStackTest {
  private static ModelEventsTable.Event event(int day, int seq, String kind, int version) {
    return new ModelEventsTable.Event(LocalDate.of(2001, 1, day), seq, kind, version, null, "test", "train");
  }

  @Test
  void promotesPushAndRollbacksReturnToTheChampionBefore() {
    List<ModelEventsTable.Event> events =
        List.of(event(3, 0, Registry.PROMOTE, 1), event(10, 0, Registry.PROMOTE, 4), event(17, 0, Registry.PROMOTE, 7),
            event(17, 1, Registry.ROLLBACK, 4));
    assertThat(Registry.championStack(events)).containsExactly(1, 4);
    assertThat(Registry.championStack(events.subList(0, 3))).containsExactly(1, 4, 7);
    // promoting the serving model again changes nothing
    assertThat(Registry.championStack(List.of(event(3, 0, Registry.PROMOTE, 1), event(4, 1, Registry.PROMOTE, 1)))).containsExactly(1);
    assertThat(Registry.championStack(List.of())).isEmpty();
  }
}
