package dev.nightcast.features;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightcast.features.HistoryCoverage.Coverage;
import dev.nightcast.features.HistoryCoverage.Window;
import dev.nightcast.testing.TestPipelines;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("unit")
class HistoryCoverageTest {
  private static final LocalDate JAN_1 = LocalDate.parse("2001-01-01");

  @TempDir Path dir;

  private static LocalDate jan(int day) {
    return JAN_1.withDayOfMonth(day);
  }

  /** January's days first..last, without {@code except}. */
  private static Set<LocalDate> days(int first, int last, int... except) {
    Set<Integer> left = java.util.Arrays.stream(except).boxed().collect(Collectors.toSet());
    return Stream.iterate(first, d -> d + 1).limit(last - first + 1L).filter(d -> !left.contains(d)).map(HistoryCoverageTest::jan)
        .collect(Collectors.toSet());
  }

  private static TreeSet<LocalDate> sorted(Set<LocalDate> dates) {
    return new TreeSet<>(dates);
  }

  @Test
  void aGapInTheMiddleMakesTheDaysWhoseWindowHoldsItIncomplete() {
    // a 7-day window of the label source itself: night N's rows need N-7..N-1
    List<Window> windows = List.of(Window.of("actuals", 7, 0, 0));
    Coverage coverage = HistoryCoverage.of(days(1, 20), windows, Map.of("actuals", days(1, 20, 10)));

    // 01-01..01-07 lack the days before the first ingested one; 01-11..01-17 hold the gap of 01-10
    assertThat(coverage.complete()).containsExactlyElementsOf(sorted(Set.of(jan(8), jan(9), jan(10), jan(18), jan(19), jan(20))));
    assertThat(coverage.incomplete()).containsExactlyElementsOf(sorted(days(1, 20, 8, 9, 10, 18, 19, 20)));
    assertThat(coverage.missing()).containsOnlyKeys("actuals");
    assertThat(HistoryCoverage.ranges(coverage.missing().get("actuals")))
        .isEqualTo("2000-12-25..2000-12-31, 2001-01-10");
    assertThat(coverage.describeMissing()).isEqualTo("actuals 2000-12-25..2000-12-31, 2001-01-10");
  }

  @Test
  void offsetsShiftTheWindowIntoTheHistorySourcesDates() {
    // the history source's drop of night ds holds rows of ds + 1: rows dated N need its ds N-4..N-2
    assertThat(Window.of("schedule", 3, 1, 0)).isEqualTo(new Window("schedule", 4, 2));
    Coverage history = HistoryCoverage.of(List.of(jan(5), jan(6)), List.of(Window.of("schedule", 3, 1, 0)), Map.of("schedule", days(1, 3)));
    assertThat(history.complete()).containsExactly(jan(5));
    assertThat(history.missing()).isEqualTo(Map.of("schedule", sorted(Set.of(jan(4)))));

    // labelled rows dated N + 1 (the label source's offset): their window ends on night N itself
    assertThat(Window.of("actuals", 2, 0, 1)).isEqualTo(new Window("actuals", 1, 0));
    Coverage label = HistoryCoverage.of(List.of(jan(2), jan(3)), List.of(Window.of("actuals", 2, 0, 1)), Map.of("actuals", days(1, 2)));
    assertThat(label.complete()).containsExactly(jan(2));
    assertThat(label.missing()).isEqualTo(Map.of("actuals", sorted(Set.of(jan(3)))));
  }

  @Test
  void everyHistoryFeatureMustBeCoveredEachOnItsOwnSource() {
    List<Window> windows = List.of(Window.of("actuals", 1, 0, 0), Window.of("actuals", 7, 0, 0), Window.of("weather", 2, 0, 0));
    Map<String, Set<LocalDate>> ingested = Map.of("actuals", days(1, 10), "weather", days(6, 10));
    Coverage coverage = HistoryCoverage.of(days(2, 10), windows, ingested);

    // the 1-day window is complete from 01-02, the 7-day one from 01-08, weather's from 01-08
    assertThat(coverage.complete()).containsExactly(jan(8), jan(9), jan(10));
    assertThat(coverage.missing()).containsOnlyKeys("actuals", "weather");
    assertThat(coverage.describeMissing()).isEqualTo("actuals 2000-12-26..2000-12-31; weather 2000-12-31..2001-01-05");
  }

  @Test
  void withoutHistoryFeaturesEveryNightIsComplete() {
    Coverage coverage = HistoryCoverage.of(days(1, 3), List.of(), Map.of());
    assertThat(coverage.complete()).containsExactly(jan(1), jan(2), jan(3));
    assertThat(coverage.incomplete()).isEmpty();
    assertThat(coverage.missing()).isEmpty();

    Map<String, Object> noHistory = new java.util.HashMap<>();
    noHistory.put("features.8.history", null);
    noHistory.put("features.9.history", null);
    var plain = TestPipelines.flightDelay(dir, noHistory);
    assertThat(HistoryCoverage.windows(plain.config())).isEmpty();
  }

  @Test
  void theShippedRatesShareOneWindow() {
    // origin and route rates: 7 days of actuals, the label source (no offsets)
    assertThat(HistoryCoverage.windows(TestPipelines.flightDelay(dir, Map.of()).config())).containsExactly(new Window("actuals", 7, 1));
  }
}
