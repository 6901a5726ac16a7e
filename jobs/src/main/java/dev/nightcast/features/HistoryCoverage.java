package dev.nightcast.features;

import static org.apache.spark.sql.functions.col;

import dev.nightcast.config.FeatureConfig;
import dev.nightcast.config.PipelineConfig;
import dev.nightcast.warehouse.Tables;
import dev.nightcast.warehouse.Warehouse;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Which labelled nights carry history-complete features. A labelled row dated F is complete when,
 * for each history feature, every date of its window [F - days, F - 1] (in its source's dates, as
 * {@link Features#trailing} reads them) was ingested into the source's raw table. A partial window
 * gives a rate over fewer days than every scored row gets: training on it (the first nights of a
 * warehouse, or the nights after a gap) learns a distribution serving never sees again.
 */
public final class HistoryCoverage {
  private HistoryCoverage() {}

  /**
   * One history feature's window relative to a labelled night N: the raw dates N - first .. N - last
   * of {@code source}.
   */
  public record Window(String source, int first, int last) {
    /**
     * @param sourceOffset the history source's day offset (its raw date ds holds rows of ds + offset)
     * @param labelOffset the label source's day offset (night N's labelled rows are dated N + offset)
     */
    public static Window of(String source, int days, int sourceOffset, int labelOffset) {
      return new Window(source, days + sourceOffset - labelOffset, 1 + sourceOffset - labelOffset);
    }
  }

  /**
   * @param complete the labelled nights whose every window is ingested
   * @param incomplete the others
   * @param missing per history source, the raw dates the incomplete nights need and lack
   * @param redefined labelled nights left out of both: their features were derived with other
   *     definitions than the pipeline's ({@link FeaturesTable#otherDerivations})
   * @param rawGone the redefined nights whose raw label rows are gone: only a re-ingest derives them again
   */
  public record Coverage(
      SortedSet<LocalDate> complete,
      SortedSet<LocalDate> incomplete,
      Map<String, SortedSet<LocalDate>> missing,
      SortedSet<LocalDate> redefined,
      SortedSet<LocalDate> rawGone) {
    public Coverage withRedefined(SortedSet<LocalDate> nights, SortedSet<LocalDate> withoutRaw) {
      return new Coverage(complete, incomplete, missing, nights, withoutRaw);
    }

    /** The history the incomplete nights lack, e.g. "actuals 2001-01-15, 2001-01-20..2001-01-21". */
    public String describeMissing() {
      return missing.entrySet().stream().map(source -> source.getKey() + " " + ranges(source.getValue())).collect(Collectors.joining("; "));
    }
  }

  /** The windows of the pipeline's history features, distinct; empty when it has none. */
  public static List<Window> windows(PipelineConfig pipeline) {
    int labelOffset = pipeline.source(pipeline.label().source()).dayOffset();
    return pipeline.features().stream()
        .map(FeatureConfig::history)
        .filter(history -> history != null)
        .map(history -> Window.of(history.source(), history.days(), pipeline.source(history.source()).dayOffset(), labelOffset))
        .distinct()
        .toList();
  }

  /** Pure: splits {@code nights} by whether every window's dates are among its source's {@code ingested} dates. */
  public static Coverage of(Collection<LocalDate> nights, List<Window> windows, Map<String, Set<LocalDate>> ingested) {
    SortedSet<LocalDate> complete = new TreeSet<>();
    SortedSet<LocalDate> incomplete = new TreeSet<>();
    Map<String, SortedSet<LocalDate>> missing = new TreeMap<>();
    for (LocalDate night : nights) {
      boolean whole = true;
      for (Window window : windows) {
        Set<LocalDate> dates = ingested.getOrDefault(window.source(), Set.of());
        for (LocalDate date = night.minusDays(window.first()); !date.isAfter(night.minusDays(window.last())); date = date.plusDays(1)) {
          if (!dates.contains(date)) {
            whole = false;
            missing.computeIfAbsent(window.source(), source -> new TreeSet<>()).add(date);
          }
        }
      }
      (whole ? complete : incomplete).add(night);
    }
    return new Coverage(complete, incomplete, missing, new TreeSet<>(), new TreeSet<>());
  }

  /**
   * I/O shell: one query per history source for its distinct ingested dates within the span the
   * nights' windows cover (partition pruning on ds); none without history features.
   */
  public static Coverage of(Warehouse warehouse, PipelineConfig pipeline, Collection<LocalDate> nights) {
    List<Window> windows = windows(pipeline);
    Map<String, Set<LocalDate>> ingested = new TreeMap<>();
    if (!nights.isEmpty()) {
      LocalDate earliest = nights.stream().min(LocalDate::compareTo).orElseThrow();
      LocalDate latest = nights.stream().max(LocalDate::compareTo).orElseThrow();
      for (String source : windows.stream().map(Window::source).distinct().toList()) {
        LocalDate from = earliest.minusDays(windows.stream().filter(w -> w.source().equals(source)).mapToInt(Window::first).max().orElseThrow());
        LocalDate to = latest.minusDays(windows.stream().filter(w -> w.source().equals(source)).mapToInt(Window::last).min().orElseThrow());
        ingested.put(source, ingestedDates(warehouse, source, from, to));
      }
    }
    return of(nights, windows, ingested);
  }

  /** The dates in [from, to] of the source's raw table (none when it does not exist). */
  static Set<LocalDate> ingestedDates(Warehouse warehouse, String source, LocalDate from, LocalDate to) {
    if (!warehouse.exists(Tables.raw(source))) {
      return Set.of();
    }
    return warehouse.read(Tables.raw(source))
        .where(col("ds").between(Date.valueOf(from), Date.valueOf(to)))
        .select("ds")
        .distinct()
        .collectAsList()
        .stream()
        .map(row -> row.<Date>getAs("ds").toLocalDate())
        .collect(Collectors.toSet());
  }

  /** Sorted dates as runs of consecutive days: "2001-01-01..2001-01-03, 2001-01-05". */
  public static String ranges(SortedSet<LocalDate> dates) {
    List<String> runs = new ArrayList<>();
    LocalDate start = null;
    LocalDate previous = null;
    for (LocalDate date : dates) {
      if (previous == null || !date.equals(previous.plusDays(1))) {
        if (start != null) {
          runs.add(run(start, previous));
        }
        start = date;
      }
      previous = date;
    }
    if (start != null) {
      runs.add(run(start, previous));
    }
    return String.join(", ", runs);
  }

  private static String run(LocalDate start, LocalDate end) {
    return start.equals(end) ? start.toString() : start + ".." + end;
  }
}
