package dev.nightcast.night;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightcast.features.HistoryCoverage;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class TrainStageRefusalTest {
  private static final LocalDate END = LocalDate.parse("2001-01-22");
  private static final LocalDate START = LocalDate.parse("2001-01-09");
  private static final List<HistoryCoverage.Window> RATES = List.of(HistoryCoverage.Window.of("actuals", 7, 0, 0));

  /** Every date from 2001-01-01 through the window's end but {@code gap}. */
  private static Set<LocalDate> ingestedBut(LocalDate gap) {
    return LocalDate.parse("2001-01-01").datesUntil(END.plusDays(1)).filter(d -> !d.equals(gap)).collect(Collectors.toSet());
  }

  @Test
  void aGapInIngestedHistoryNamesTheIncompleteDaysAndBackfillsFromTheGap() {
    LocalDate gap = LocalDate.parse("2001-01-15");
    // the night of the gap has no labelled features either; the 7 after it lack one day of history
    Set<LocalDate> ingested = ingestedBut(gap);
    List<LocalDate> labelled = START.datesUntil(END.plusDays(1)).filter(ingested::contains).toList();
    HistoryCoverage.Coverage window = HistoryCoverage.of(labelled, RATES, Map.of("actuals", ingested));

    assertThat(TrainStage.refusal(END, START, 14, window)).isEqualTo(
        "Cannot train on 2001-01-22: the training window 2001-01-09..2001-01-22 has labelled features with complete history for 6 of 14 days"
            + " (no labelled features on 2001-01-15; incomplete history on 2001-01-16..2001-01-22 (not ingested: actuals 2001-01-15);"
            + " backfill the missing nights first: `nightcast backfill --from 2001-01-15 --to 2001-01-22`)");
  }

  @Test
  void missingLabelledNightsAloneAreBackfilledFromTheFirst() {
    List<LocalDate> labelled = START.datesUntil(END.minusDays(1)).toList();
    HistoryCoverage.Coverage window = HistoryCoverage.of(labelled, List.of(), Map.of());

    assertThat(TrainStage.refusal(END, START, 14, window)).isEqualTo(
        "Cannot train on 2001-01-22: the training window 2001-01-09..2001-01-22 has labelled features with complete history for 12 of 14 days"
            + " (no labelled features on 2001-01-21..2001-01-22; backfill the missing nights first: `nightcast backfill --from 2001-01-21 --to 2001-01-22`)");
  }

  @Test
  void nightsOfOtherFeatureDefinitionsNameTheCommandThatDerivesThemAgain() {
    List<LocalDate> labelled = START.datesUntil(END.plusDays(1)).filter(d -> d.isAfter(LocalDate.parse("2001-01-12"))).toList();
    HistoryCoverage.Coverage window = HistoryCoverage.of(labelled, List.of(), Map.of())
        .withRedefined(new java.util.TreeSet<>(START.datesUntil(LocalDate.parse("2001-01-13")).toList()), new java.util.TreeSet<>());

    assertThat(TrainStage.refusal(END, START, 14, window)).isEqualTo(
        "Cannot train on 2001-01-22: the training window 2001-01-09..2001-01-22 has labelled features with complete history for 10 of 14 days"
            + " (features derived with other feature definitions on 2001-01-09..2001-01-12: `nightcast features --date 2001-01-22` derives"
            + " them again from their raw rows, and a night's run does so before training)");
  }

  @Test
  void nightsOfOtherFeatureDefinitionsWithoutRawRowsAreBackfilled() {
    List<LocalDate> labelled = START.datesUntil(END.plusDays(1)).filter(d -> d.isAfter(LocalDate.parse("2001-01-12"))).toList();
    java.util.TreeSet<LocalDate> redefined = new java.util.TreeSet<>(START.datesUntil(LocalDate.parse("2001-01-13")).toList());
    // the raw rows of the first two are gone: a re-ingest from the landing zone is the way out for those
    HistoryCoverage.Coverage window = HistoryCoverage.of(labelled, List.of(), Map.of())
        .withRedefined(redefined, new java.util.TreeSet<>(redefined.headSet(LocalDate.parse("2001-01-11"))));

    assertThat(TrainStage.refusal(END, START, 14, window)).isEqualTo(
        "Cannot train on 2001-01-22: the training window 2001-01-09..2001-01-22 has labelled features with complete history for 10 of 14 days"
            + " (features derived with other feature definitions on 2001-01-11..2001-01-12: `nightcast features --date 2001-01-22` derives"
            + " them again from their raw rows, and a night's run does so before training; features derived with other feature definitions on"
            + " 2001-01-09..2001-01-10 whose raw label rows are gone, so only a re-ingest derives them again;"
            + " backfill the missing nights first: `nightcast backfill --from 2001-01-09 --to 2001-01-22`)");
  }
}
