package dev.nightcast.report;

import dev.nightcast.monitoring.Alerts;
import dev.nightcast.monitoring.Performance;
import dev.nightcast.registry.Registry;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The ML delivery metrics of the nights FROM..TO, from model_events, performance_daily, alerts and
 * runs. Pure.
 *
 * <ul>
 *   <li>deployment frequency: promotions per 30 nights;
 *   <li>change failure rate: of the promotions whose outcome is known, the share later rolled back
 *       or with a performance alert on one of their first {@value #FIRST_MONITORED_NIGHTS} realised
 *       nights (a promotion with fewer realised nights and neither is still pending);
 *   <li>mean time to restore: from a failed stage to the next successful publish (wall clock);
 *   <li>lead time: from the start of a night's ingest (its data arriving in the warehouse) to its
 *       first successful publish, median over the published nights.
 * </ul>
 */
public record DeliveryMetrics(
    long nights,
    int promotions,
    double deploymentsPer30Nights,
    int judgedPromotions,
    int failedPromotions,
    Optional<Double> changeFailureRate,
    int restoredIncidents,
    int openIncidents,
    Optional<Duration> meanTimeToRestore,
    int publishedNights,
    Optional<Duration> medianLeadTime) {

  public static final int FIRST_MONITORED_NIGHTS = 3;

  public static DeliveryMetrics compute(
      LocalDate from, LocalDate to, List<ReportData.ModelEvent> events, List<ReportData.PerformancePoint> performance,
      List<ReportData.Alert> alerts, List<ReportData.Run> runs) {
    long nights = to.toEpochDay() - from.toEpochDay() + 1;
    List<ReportData.ModelEvent> promotions =
        events.stream().filter(e -> e.event().equals(Registry.PROMOTE) && within(e.ds(), from, to)).toList();
    // a realised night's predictions were all made by one model the night before, so a performance
    // alert of that night belongs to that model
    Set<LocalDate> performanceAlerts =
        alerts.stream().filter(a -> a.kind().equals(Alerts.PERFORMANCE)).map(ReportData.Alert::ds).collect(Collectors.toSet());
    int judged = 0;
    int failed = 0;
    for (ReportData.ModelEvent promotion : promotions) {
      boolean rolledBack =
          events.stream().anyMatch(e -> e.event().equals(Registry.ROLLBACK) && Integer.valueOf(promotion.modelVersion()).equals(e.previousVersion())
              && (e.ds().isAfter(promotion.ds()) || (e.ds().equals(promotion.ds()) && e.seq() > promotion.seq())));
      List<LocalDate> firstNights =
          performance.stream()
              .filter(p -> p.kind().equals(Performance.REALISED) && p.modelVersion() == promotion.modelVersion() && p.ds().isAfter(promotion.ds()))
              .map(ReportData.PerformancePoint::ds)
              .distinct()
              .sorted()
              .limit(FIRST_MONITORED_NIGHTS)
              .toList();
      boolean alerted = firstNights.stream().anyMatch(performanceAlerts::contains);
      if (rolledBack || alerted) {
        judged++;
        failed++;
      } else if (firstNights.size() == FIRST_MONITORED_NIGHTS) {
        judged++;
      }
    }

    List<ReportData.Run> ordered =
        runs.stream().filter(r -> within(r.ds(), from, to)).sorted(Comparator.comparing(ReportData.Run::startedAt)).toList();
    List<Duration> restores = new ArrayList<>();
    ReportData.Run openSince = null;
    for (ReportData.Run run : ordered) {
      if (run.status().equals("failed") && openSince == null) {
        openSince = run;
      } else if (run.status().equals("succeeded") && run.stage().equals("publish") && openSince != null) {
        restores.add(Duration.between(openSince.endedAt(), run.endedAt()));
        openSince = null;
      }
    }

    List<Duration> leadTimes = new ArrayList<>();
    for (LocalDate ds : ordered.stream().map(ReportData.Run::ds).distinct().sorted().toList()) {
      Optional<ReportData.Run> publish =
          ordered.stream().filter(r -> r.ds().equals(ds) && succeeded(r, "publish")).findFirst();
      Optional<ReportData.Run> ingest =
          publish.flatMap(p -> ordered.stream().filter(r -> r.ds().equals(ds) && succeeded(r, "ingest") && !r.startedAt().isAfter(p.startedAt()))
              .reduce((first, second) -> second));
      if (publish.isPresent() && ingest.isPresent()) {
        leadTimes.add(Duration.between(ingest.get().startedAt(), publish.get().endedAt()));
      }
    }
    leadTimes.sort(Comparator.naturalOrder());

    return new DeliveryMetrics(
        nights,
        promotions.size(),
        30.0 * promotions.size() / nights,
        judged,
        failed,
        judged == 0 ? Optional.empty() : Optional.of((double) failed / judged),
        restores.size(),
        openSince == null ? 0 : 1,
        restores.isEmpty() ? Optional.empty() : Optional.of(restores.stream().reduce(Duration.ZERO, Duration::plus).dividedBy(restores.size())),
        leadTimes.size(),
        leadTimes.isEmpty() ? Optional.empty() : Optional.of(median(leadTimes)));
  }

  /** One line each, for `nightcast status` and the report. */
  public List<String> lines() {
    return List.of(
        String.format("deployment frequency: %.1f promotions per 30 nights (%d in %d nights)", deploymentsPer30Nights, promotions, nights),
        "change failure rate: " + changeFailureRate.map(r -> String.format(Locale.ROOT, "%.0f%%", 100 * r)).orElse("n/a") + " (" + failedPromotions + " of "
            + judgedPromotions + " judged promotions rolled back or alerted in their first " + FIRST_MONITORED_NIGHTS + " monitored nights)",
        "mean time to restore: " + meanTimeToRestore.map(DeliveryMetrics::format).orElse("n/a") + " (" + restoredIncidents + " restored"
            + (openIncidents > 0 ? ", 1 still failing" : "") + ")",
        "lead time (ingest start to published predictions): " + medianLeadTime.map(DeliveryMetrics::format).orElse("n/a") + " median over "
            + publishedNights + " published nights");
  }

  public static String format(Duration duration) {
    long seconds = duration.toSeconds();
    if (seconds < 60) {
      return seconds + "s";
    }
    if (seconds < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", duration.toMinutesPart(), duration.toSecondsPart());
    }
    return String.format(Locale.ROOT, "%dh%02dm", duration.toHours(), duration.toMinutesPart());
  }

  private static Duration median(List<Duration> sorted) {
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : sorted.get(n / 2 - 1).plus(sorted.get(n / 2)).dividedBy(2);
  }

  private static boolean succeeded(ReportData.Run run, String stage) {
    return run.stage().equals(stage) && run.status().equals("succeeded");
  }

  private static boolean within(LocalDate ds, LocalDate from, LocalDate to) {
    return !ds.isBefore(from) && !ds.isAfter(to);
  }
}
