package dev.nightcast.training;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.time.LocalDateTime;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class SplitTest {
  @Test
  void wholeDaysAreCountedBackFromTheWindowsEnd() {
    // the sample's first training: 14 days ending 2001-01-14, 3 validation and 3 test days
    Split split = Split.of(LocalDate.parse("2001-01-01"), LocalDate.parse("2001-01-14"), 3, 3);
    assertThat(split.start()).isEqualTo(LocalDateTime.parse("2001-01-01T00:00"));
    assertThat(split.validationStart()).isEqualTo(LocalDateTime.parse("2001-01-09T00:00"));
    assertThat(split.testStart()).isEqualTo(LocalDateTime.parse("2001-01-12T00:00"));
    assertThat(split.end()).isEqualTo(LocalDateTime.parse("2001-01-15T00:00"));
  }

  @Test
  void theWindowsDoNotGrowWithTheTrainingWindow() {
    Split split = Split.of(LocalDate.parse("2000-12-03"), LocalDate.parse("2001-01-14"), 3, 3);
    assertThat(split.validationStart()).isEqualTo(LocalDateTime.parse("2001-01-09T00:00"));
    assertThat(split.testStart()).isEqualTo(LocalDateTime.parse("2001-01-12T00:00"));
  }

  @Test
  void aFractionOfADayCutsAtThatTimeOfDay() {
    // 0.3 days = 7 h 12 min: the small test pipelines' split of a 3-day window
    Split split = Split.of(LocalDate.parse("2001-01-01"), LocalDate.parse("2001-01-03"), 0.3, 0.3);
    assertThat(split.testStart()).isEqualTo(LocalDateTime.parse("2001-01-03T16:48"));
    assertThat(split.validationStart()).isEqualTo(LocalDateTime.parse("2001-01-03T09:36"));
  }
}
